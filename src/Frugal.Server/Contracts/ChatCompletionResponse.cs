namespace Frugal.Server.Contracts;

/// <summary>The answer of a non-streaming chat completion (<c>"object": "chat.completion"</c>).</summary>
public sealed record ChatCompletionResponse(
    string Id,
    long Created,
    string Model,
    IReadOnlyList<ChatCompletionChoice> Choices,
    CompletionUsage Usage)
{
    public string Object => "chat.completion";
}
