namespace Frugal.Server.Contracts.Anthropic;

/// <summary>The answer of <c>POST /v1/messages/count_tokens</c>.</summary>
public sealed record TokenCount(int InputTokens);
