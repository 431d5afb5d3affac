namespace Frugal.Server.Contracts;

/// <summary>The memory governor's settings in force, for <c>/status</c> (shares of the limit as fractions).</summary>
public sealed record MemorySettings(
    double MediumThreshold,
    double HighThreshold,
    double CriticalThreshold,
    double Hysteresis,
    int ReplyTokenCap,
    int HistoryExchanges,
    double QueueDepthFactor,
    string EmergencyRunningAction,
    double RefreshIntervalSeconds);
