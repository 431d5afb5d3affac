using System.Text.Json;
using Frugal.Inference;
using Frugal.Server.Contracts.Anthropic;
using Frugal.Tools;

namespace Frugal.Server.Endpoints.Anthropic;

/// <summary>How a finished generation reads in Anthropic's terms: the stop reason, the usage, a tool call's block.</summary>
internal static class AnthropicReplies
{
    /// <summary>The stop reason of a message that called tools.</summary>
    public const string ToolUseStopReason = "tool_use";

    /// <summary>A call as a <c>tool_use</c> block: an id in Anthropic's form (<c>toolu_…</c>) and the arguments as the input object.</summary>
    public static ContentBlock ToolUseBlock(ToolCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        using var input = JsonDocument.Parse(call.Arguments);
        return ContentBlock.OfToolUse($"toolu_{call.Id[(call.Id.IndexOf('_', StringComparison.Ordinal) + 1)..]}", call.Name, input.RootElement.Clone());
    }

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
