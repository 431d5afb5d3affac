namespace Frugal.Server.Contracts.Anthropic;

/// <summary>The inside of Anthropic's error: <c>{"type", "message"}</c>.</summary>
public sealed record AnthropicError(string Type, string Message);
