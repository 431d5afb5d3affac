namespace Frugal.Server.Contracts;

/// <summary>OpenAI's <c>response_format</c>: only <c>{"type": "text"}</c> is served.</summary>
public sealed record ChatCompletionResponseFormat
{
    public string? Type { get; init; }
}
