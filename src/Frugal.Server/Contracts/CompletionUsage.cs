namespace Frugal.Server.Contracts;

/// <summary>Token counts of one completion; cached prompt tokens are those a kept KV state already held.</summary>
public sealed record CompletionUsage(int PromptTokens, int CompletionTokens, int TotalTokens, PromptTokensDetails PromptTokensDetails);
