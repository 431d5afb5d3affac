namespace Frugal.Testing.Fuzzing;

/// <summary>What a fuzz run did: inputs tried, accepted and refused, and the findings.</summary>
public sealed record FuzzReport(string Target, long Iterations, long Accepted, long Refused, IReadOnlyList<FuzzFinding> Findings, TimeSpan Elapsed)
{
    /// <summary>One line for logs and bench output.</summary>
    public override string ToString() =>
        $"{Target}: {Iterations} inputs in {Elapsed.TotalSeconds:F1} s ({Iterations / Math.Max(Elapsed.TotalSeconds, 1e-3):F0}/s): " +
        $"{Accepted} accepted, {Refused} refused with the target's own error, {Findings.Count} findings";
}
