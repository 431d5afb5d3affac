using Microsoft.Extensions.Logging;

namespace Frugal.Memory;

/// <summary>Log messages of the memory governor and planner (event ids 4000-4099).</summary>
internal static partial class MemoryLog
{
    [LoggerMessage(4000, LogLevel.Warning,
        "Memory pressure {From} -> {To}: resident {ResidentMiB} MiB ({Percent:0.0}% of {LimitMiB} MiB limit; anon {AnonMiB} MiB + model {ModelMiB} MiB), usage {UsageMiB} MiB, page cache {CacheMiB} MiB, stall {Stall}%, major faults/s {Faults}")]
    public static partial void LevelRaised(ILogger logger, string from, string to, long residentMiB, double percent, long limitMiB,
        long anonMiB, long modelMiB, long usageMiB, long cacheMiB, string stall, string faults);

    [LoggerMessage(4001, LogLevel.Information,
        "Memory pressure {From} -> {To}: resident {ResidentMiB} MiB ({Percent:0.0}% of {LimitMiB} MiB limit), usage {UsageMiB} MiB")]
    public static partial void LevelLowered(ILogger logger, string from, string to, long residentMiB, double percent, long limitMiB, long usageMiB);

    [LoggerMessage(4002, LogLevel.Information, "Memory release by {Releaser} at {Level}: about {FreedMiB} MiB freed")]
    public static partial void Released(ILogger logger, string releaser, string level, double freedMiB);

    [LoggerMessage(4003, LogLevel.Warning, "Memory release by {Releaser} at {Level} failed")]
    public static partial void ReleaseFailed(ILogger logger, string releaser, string level, Exception exception);

    [LoggerMessage(4004, LogLevel.Warning, "Memory restrictions now: {Restrictions}")]
    public static partial void RestrictionsChanged(ILogger logger, string restrictions);

    [LoggerMessage(4005, LogLevel.Warning, "Request refused for memory: {Reason}")]
    public static partial void Refused(ILogger logger, string reason);

    [LoggerMessage(4006, LogLevel.Error, "Reading memory figures failed; keeping the previous reading")]
    public static partial void ProbeFailed(ILogger logger, Exception exception);
}
