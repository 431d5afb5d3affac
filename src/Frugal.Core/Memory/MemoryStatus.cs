namespace Frugal.Memory;

/// <summary>The governor's view: the latest reading, the level it gives and what that restricts.</summary>
public sealed record MemoryStatus
{
    /// <summary>The latest reading.</summary>
    public required MemorySnapshot Snapshot { get; init; }

    /// <summary>The pressure level.</summary>
    public required MemoryPressureLevel Level { get; init; }

    /// <summary>When the current level began.</summary>
    public required DateTimeOffset LevelSince { get; init; }

    /// <summary>True when the box is thrashing (PSI stall or major faults above their thresholds).</summary>
    public bool Thrashing { get; init; }

    /// <summary>Major page faults per second of the box since the previous reading, when known.</summary>
    public double? MajorFaultsPerSecond { get; init; }

    /// <summary>What the level restricts.</summary>
    public required MemoryRestrictions Restrictions { get; init; }

    /// <summary>True at <see cref="MemoryPressureLevel.Critical"/>: new generations are refused.</summary>
    public bool EmergencyMode => Level == MemoryPressureLevel.Critical;

    /// <summary>The level as written in <c>/status</c> and <c>/metrics</c>: "low", "medium", "high", "critical".</summary>
    public string LevelName => Level.ToString().ToLowerInvariant();
}
