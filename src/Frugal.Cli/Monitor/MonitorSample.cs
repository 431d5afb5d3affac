namespace Frugal.Cli.Monitor;

/// <summary>One reading shown by <c>frugal monitor</c>, from a server's <c>/status</c> or from this machine.</summary>
internal sealed record MonitorSample
{
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>"local" or the server's URL.</summary>
    public required string Source { get; init; }

    /// <summary>"low", "medium", "high", "critical", or null when the server does not say.</summary>
    public string? MemoryPressure { get; init; }

    public bool? EmergencyMode { get; init; }

    public IReadOnlyList<string> Restrictions { get; init; } = [];

    public long? LimitBytes { get; init; }

    /// <summary>What the kernel counts against the limit (page cache included).</summary>
    public long? UsedBytes { get; init; }

    /// <summary>Memory that must stay resident (anonymous + mapped model).</summary>
    public long? ResidentBytes { get; init; }

    public long? AvailableBytes { get; init; }

    public long? ProcessRssBytes { get; init; }

    public long? ProcessRssAnonymousBytes { get; init; }

    public long? ProcessRssFileBytes { get; init; }

    public int? QueueDepth { get; init; }

    public int? ActiveGenerations { get; init; }

    public double? PromptTokensPerSecond { get; init; }

    public double? DecodeTokensPerSecond { get; init; }

    public double? StallPercent { get; init; }

    /// <summary>Resident (or, when unknown, used) memory as a share of the limit.</summary>
    public double? PressureRatio =>
        LimitBytes is > 0 && (ResidentBytes ?? UsedBytes) is { } used ? (double)used / LimitBytes.Value : null;
}
