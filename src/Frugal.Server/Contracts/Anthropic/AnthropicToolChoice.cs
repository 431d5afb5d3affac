namespace Frugal.Server.Contracts.Anthropic;

/// <summary><c>tool_choice</c>: <c>auto</c>, <c>any</c>, <c>tool</c> (with <c>name</c>) or <c>none</c>.</summary>
public sealed record AnthropicToolChoice
{
    public string? Type { get; init; }

    public string? Name { get; init; }

    public bool? DisableParallelToolUse { get; init; }
}
