namespace Frugal.Bench.Capacity;

/// <summary>What users felt at one user count: times to first token (queue included) and each reply's stream rate.</summary>
public sealed record CapacityPoint
{
    public required int Users { get; init; }

    public required double EquivalentUsers { get; init; }

    /// <summary>Turns answered in the window (and the ones in flight at its end).</summary>
    public required int Turns { get; init; }

    /// <summary>Turns refused (queue full).</summary>
    public required int Refused { get; init; }

    public required double TtftP50Seconds { get; init; }

    public required double TtftP95Seconds { get; init; }

    public required double TtftMaxSeconds { get; init; }

    /// <summary>The stream rate (reply tokens/s after the first) that 95 % of replies reached.</summary>
    public required double RateP5 { get; init; }

    public required double RateP50 { get; init; }

    /// <summary>Most replies streaming at once during the window.</summary>
    public required int PeakStreams { get; init; }

    /// <summary>The p95 of the wait in the scheduler's queue before the engine took a turn (its time to first token less the engine's own).</summary>
    public double QueueP95Seconds { get; init; }

    /// <summary>The fewest streams the engine allowed at once when a turn was sent (its live stream limit).</summary>
    public int LeastStreamLimit { get; init; }

    /// <summary>p95 time to first token within the target, p5 stream rate at least the target, none refused.</summary>
    public bool MeetsTarget => Turns > 0 && Refused == 0 && TtftP95Seconds <= CapacityOptions.TtftTarget.TotalSeconds && RateP5 >= CapacityOptions.RateTarget;
}
