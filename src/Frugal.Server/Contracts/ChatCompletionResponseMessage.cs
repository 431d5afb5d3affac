namespace Frugal.Server.Contracts;

/// <summary>The assistant's message in a non-streaming answer.</summary>
public sealed record ChatCompletionResponseMessage(string Content)
{
    public string Role => "assistant";
}
