namespace Frugal.Server.Contracts.Responses;

/// <summary>Of the input tokens: those a kept KV state already held.</summary>
public sealed record ResponseInputTokensDetails(int CachedTokens);
