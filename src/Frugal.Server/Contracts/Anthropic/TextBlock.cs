namespace Frugal.Server.Contracts.Anthropic;

/// <summary>A text content block: <c>{"type": "text", "text"}</c>.</summary>
public sealed record TextBlock(string Text)
{
    public string Type => "text";
}
