namespace Frugal.Server.Contracts.Responses;

/// <summary>A response's token counts; <c>cached_tokens</c> are prompt tokens a kept KV state already held.</summary>
public sealed record ResponseUsage(int InputTokens, ResponseInputTokensDetails InputTokensDetails, int OutputTokens, ResponseOutputTokensDetails OutputTokensDetails)
{
    public int TotalTokens => InputTokens + OutputTokens;
}
