using Microsoft.Extensions.Logging;

namespace Frugal.Inference.State;

/// <summary>Log messages of the tiered store (never a session key: files are named by its hash).</summary>
public sealed partial class TieredSessionStateStore
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Session state store at {Directory}: {Count} states, {Bytes} bytes on disk")]
        public static partial void Opened(ILogger logger, string directory, int count, long bytes);

        [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Discarded session states of another model ({Identity})")]
        public static partial void DiscardedOtherModel(ILogger logger, string identity);

        [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Discarded a corrupted or foreign session state file {File}")]
        public static partial void DiscardedCorruptState(ILogger logger, string file);

        [LoggerMessage(EventId = 5104, Level = LogLevel.Debug, Message = "A session state of {Bytes} bytes fits in no tier and was dropped")]
        public static partial void DroppedState(ILogger logger, long bytes);

        [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "Could not write a session state to disk; it was dropped")]
        public static partial void SpillFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "Could not delete a session state file")]
        public static partial void DeleteFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 5107, Level = LogLevel.Information, Message = "Released {Bytes} bytes of session states from memory")]
        public static partial void MemoryReleased(ILogger logger, long bytes);
    }
}
