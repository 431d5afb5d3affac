namespace Frugal.Bench.Capacity;

/// <summary>The capacity phase: the latency policy next to the one-sequence policy, measured in the same run.</summary>
public sealed record CapacityReport
{
    public required DateTimeOffset Date { get; init; }

    public required string Machine { get; init; }

    public required string Model { get; init; }

    public required CapacityOptions Options { get; init; }

    public required IReadOnlyList<CapacityPolicyResult> Policies { get; init; }

    /// <summary>Per alternating round: the latency policy's single-user time to first token over the one-sequence policy's, as a speed ratio.</summary>
    public IReadOnlyList<double> AloneTtftRatios { get; init; } = [];

    /// <summary>Per alternating round: the latency policy's single-user decode rate over the one-sequence policy's.</summary>
    public IReadOnlyList<double> AloneDecodeRatios { get; init; } = [];

    /// <summary>The latency policy's single-user time to first token over the one-sequence policy's as a speed ratio (≥ 1: no slower); the rounds' median.</summary>
    public double AloneTtftRatio => AloneTtftRatios.Count > 0 ? BenchRunner.Median(AloneTtftRatios) : Ratio(p => 1 / p.AloneTtftSeconds);

    /// <summary>The latency policy's single-user decode rate over the one-sequence policy's; the rounds' median.</summary>
    public double AloneDecodeRatio => AloneDecodeRatios.Count > 0 ? BenchRunner.Median(AloneDecodeRatios) : Ratio(p => p.AloneDecodeTokensPerSecond);

    private double Ratio(Func<CapacityPolicyResult, double> figure) =>
        Policies.Count == 2 && figure(Policies[1]) > 0 ? figure(Policies[0]) / figure(Policies[1]) : 0;
}
