using System.Diagnostics;
using Frugal.Inference;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Endpoints;

/// <summary>
/// The one log line of a chat completion with its figures. Carries no message text and no key:
/// the user is named by id only.
/// </summary>
internal sealed partial class CompletionReport(ILogger logger, string userId, bool stream, long startedTimestamp)
{
    /// <summary>The first queue position seen (0: the worker was free).</summary>
    public int QueuedAt { get; set; }

    public void Completed(GenerationStats stats) =>
        LogCompleted(logger, userId, stream, QueuedAt, stats.PromptTokens, stats.CachedPromptTokens, stats.CompletionTokens,
            stats.FinishReason, (long)stats.TimeToFirstToken.TotalMilliseconds, Math.Round(stats.PromptTokensPerSecond, 1),
            Math.Round(stats.DecodeTokensPerSecond, 1), (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds);

    public void Failed(Exception exception) =>
        LogFailed(logger, userId, stream, (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds, exception);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information,
        Message = "Chat completion for user {UserId}: stream={Stream} queued_at={QueuedAt} prompt_tokens={PromptTokens} cached_tokens={CachedTokens} " +
                  "completion_tokens={CompletionTokens} finish={FinishReason} ttft_ms={TimeToFirstTokenMs} prompt_tps={PromptTokensPerSecond} " +
                  "decode_tps={DecodeTokensPerSecond} total_ms={TotalMs}")]
    private static partial void LogCompleted(ILogger logger, string userId, bool stream, int queuedAt, int promptTokens, int cachedTokens,
        int completionTokens, FinishReason finishReason, long timeToFirstTokenMs, double promptTokensPerSecond, double decodeTokensPerSecond, long totalMs);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Chat completion for user {UserId} failed after it started: stream={Stream} total_ms={TotalMs}")]
    private static partial void LogFailed(ILogger logger, string userId, bool stream, long totalMs, Exception exception);
}
