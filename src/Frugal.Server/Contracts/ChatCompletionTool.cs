namespace Frugal.Server.Contracts;

/// <summary>One entry of <c>tools</c>: <c>{"type": "function", "function": {...}}</c>.</summary>
public sealed record ChatCompletionTool
{
    public string? Type { get; init; }

    public ChatCompletionFunction? Function { get; init; }
}
