using Frugal.Inference;
using Frugal.Server.Contracts.Anthropic;

namespace Frugal.Server.Endpoints.Anthropic;

/// <summary>How a finished generation reads in Anthropic's terms: the stop reason and the usage.</summary>
internal static class AnthropicReplies
{
    /// <summary><c>max_tokens</c>, <c>stop_sequence</c> (a caller's stop sequence ended it) or <c>end_turn</c>.</summary>
    public static string StopReason(GenerationStats stats) =>
        stats.FinishReason == FinishReason.Length ? "max_tokens" : stats.StopSequence is not null ? "stop_sequence" : "end_turn";

    /// <summary>
    /// Input tokens as Anthropic counts them: those read from a kept KV state apart (<c>cache_read_input_tokens</c>), so
    /// the two add up to the prompt.
    /// </summary>
    public static MessageUsage Usage(GenerationStats stats) => new()
    {
        InputTokens = stats.PromptTokens - stats.CachedPromptTokens,
        CacheReadInputTokens = stats.CachedPromptTokens,
        OutputTokens = stats.CompletionTokens,
    };
}
