using Microsoft.Extensions.Logging;

namespace Frugal.Scheduling;

public sealed partial class GenerationScheduler
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Request queued; {Waiting} waiting")]
        public static partial void Queued(ILogger logger, int waiting);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Queue full ({Waiting} waiting); request refused")]
        public static partial void QueueFull(ILogger logger, int waiting);

        [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Request refused by the per-user limits ({Running} running, {Waiting} waiting for that user)")]
        public static partial void UserLimitReached(ILogger logger, int running, int waiting);

        [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Generation cancelled: its reader left the reply buffer ({Updates} updates) full for {Seconds} s")]
        public static partial void SlowReader(ILogger logger, int updates, double seconds);

        [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Generation reached the time limit of {LimitSeconds} s after {CompletionTokens} tokens")]
        public static partial void TimeLimitReached(ILogger logger, double limitSeconds, int completionTokens);
    }
}
