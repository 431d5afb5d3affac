using Frugal.Models;
using Microsoft.Extensions.Logging;

namespace Frugal.Inference;

/// <summary>The engine's log messages. Never message text above Trace.</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "llama.cpp [{Level}] {Message}")]
    public static partial void NativeMessage(ILogger logger, string level, string message);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Loaded {Path}: {Family} chat format, context {ContextSize} tokens, {Threads} threads, flash attention {FlashAttention}, in {ElapsedMs} ms")]
    public static partial void Loaded(ILogger logger, string path, ChatTemplateFamily family, int contextSize, int threads, string flashAttention, long elapsedMs);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug,
        Message = "Generation finished: {Reason}, prompt {PromptTokens} tokens ({CachedTokens} cached), completion {CompletionTokens} tokens, TTFT {TtftMs} ms")]
    public static partial void Finished(ILogger logger, FinishReason reason, int promptTokens, int cachedTokens, int completionTokens, double ttftMs);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Session {Session}: saved {Tokens} tokens of KV state ({Bytes} bytes) in {ElapsedMs} ms")]
    public static partial void StateSaved(ILogger logger, string session, int tokens, long bytes, double elapsedMs);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Debug, Message = "Session {Session}: appended the KV state of {Added} tokens ({Bytes} bytes) to its kept {Tokens} in {ElapsedMs} ms")]
    public static partial void StateAppended(ILogger logger, string session, int added, int tokens, long bytes, double elapsedMs);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Session {Session}: restored {Tokens} tokens of KV state ({Chunks} chunks) in {ElapsedMs} ms, read from the store in {ReadMs} ms")]
    public static partial void StateRestored(ILogger logger, string session, int tokens, int chunks, double readMs, double elapsedMs);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Session {Session}: its kept KV state could not be restored; evaluating from scratch")]
    public static partial void StateRestoreFailed(ILogger logger, string session, Exception exception);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Information, Message = "Measured batched decoding: {Decision}")]
    public static partial void ParallelMeasured(ILogger logger, string decision);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Warning, Message = "Could not measure batched decoding; running one sequence at a time")]
    public static partial void ParallelMeasureFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Prompt of {Tokens} tokens ({Kept} kept): tokenized in {TokenizeMs} ms, then session switch and evaluation in {EvaluateMs} ms")]
    public static partial void PromptEvaluated(ILogger logger, int tokens, int kept, double tokenizeMs, double evaluateMs);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Trace, Message = "Prompt: {Prompt}")]
    public static partial void Prompt(ILogger logger, string prompt);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Information, Message = "Native library: {Choice} (CPU backend {Backend}); {FileType} weights {Repack} (repack {Setting})")]
    public static partial void NativeLibraryLoaded(ILogger logger, string choice, string backend, string fileType, string repack, string setting);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Debug,
        Message = "Session {Session}: context shifted, {Dropped} cells of older turns removed after the first {Prefix}, {Kept} kept cells moved down instead of re-evaluated")]
    public static partial void Shifted(ILogger logger, string session, int dropped, int prefix, int kept);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Information,
        Message = "Session {Session}: its history window dropped older turns but the cache is not shifted ({Reason}): {Kept} kept tokens are evaluated again")]
    public static partial void ShiftUnavailable(ILogger logger, string session, int kept, string reason);

    [LoggerMessage(EventId = 2032, Level = LogLevel.Debug, Message = "Session {Session}: shifted sequence of {Tokens} cells laid out afresh in {ElapsedMs} ms")]
    public static partial void ShiftCompacted(ILogger logger, string session, int tokens, double elapsedMs);

    [LoggerMessage(EventId = 2033, Level = LogLevel.Information, Message = "{Pages}")]
    public static partial void WeightPages(ILogger logger, string pages);

    [LoggerMessage(EventId = 2034, Level = LogLevel.Information, Message = "{Release}")]
    public static partial void RepackedPagesReleased(ILogger logger, string release);
}
