namespace Frugal.Bench.Capacity;

/// <summary>One scheduling policy's capacity run: its settings, one user alone, and each user count.</summary>
public sealed record CapacityPolicyResult
{
    /// <summary>"latency" (streams chosen at start for the floor, chunked prefill) or "one-sequence".</summary>
    public required string Policy { get; init; }

    /// <summary>How the engine ran: streams, prompt chunk, and the start-up measurement's line when there was one.</summary>
    public required string Settings { get; init; }

    /// <summary>One user alone, turns back to back: median time to first token.</summary>
    public required double AloneTtftSeconds { get; init; }

    /// <summary>One user alone: median decode rate.</summary>
    public required double AloneDecodeTokensPerSecond { get; init; }

    public required IReadOnlyList<CapacityPoint> Points { get; init; }

    /// <summary>The largest simulated user count that met the target (0: none).</summary>
    public int UsersPerBox => Points.Where(p => p.MeetsTarget).Select(p => p.Users).DefaultIfEmpty(0).Max();
}
