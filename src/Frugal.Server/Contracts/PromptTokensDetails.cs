namespace Frugal.Server.Contracts;

/// <summary>Part of <see cref="CompletionUsage"/>: prompt tokens that needed no evaluation.</summary>
public sealed record PromptTokensDetails(int CachedTokens);
