namespace Frugal.Server.Contracts;

/// <summary>Token counts of one reply: <c>{"prompt_tokens", "completion_tokens", "total_tokens", "cached_prompt_tokens"}</c>.</summary>
public sealed record ReplyUsage(int PromptTokens, int CompletionTokens, int TotalTokens, int CachedPromptTokens);
