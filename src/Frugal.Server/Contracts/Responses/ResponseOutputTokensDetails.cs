namespace Frugal.Server.Contracts.Responses;

/// <summary>Of the output tokens: reasoning tokens (always 0: this model does not reason aloud).</summary>
public sealed record ResponseOutputTokensDetails(int ReasoningTokens);
