using System.Globalization;

namespace Frugal.Bench;

/// <summary>One of issue 5's targets, checked against a <see cref="BenchReport"/>.</summary>
/// <param name="Name">What is checked.</param>
/// <param name="Measured">The measured value, as text.</param>
/// <param name="Goal">The target, as text.</param>
/// <param name="Met">Whether the measured value meets the target.</param>
public sealed record BenchTarget(string Name, string Measured, string Goal, bool Met)
{
    /// <summary>Checks every target.</summary>
    public static IReadOnlyList<BenchTarget> Evaluate(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var targets = new List<BenchTarget>
        {
            Ratio("prompt tokens/s vs plain LLamaSharp", report.Baseline.PromptRatio, ">= 0.97x", r => r >= 0.97),
            Ratio("decode tokens/s vs plain LLamaSharp", report.Baseline.DecodeRatio, ">= 0.97x", r => r >= 0.97),
        };

        // The chat phases' targets only where the chats ran (--profile quick and long-chat skip them).
        if (report.TtftSingleMs.Count >= 2)
        {
            targets.Add(WithFloor(Ratio("TTFT last turn / first turn, one session", LastOverFirst(report.TtftSingleMs), "<= 1.5x", r => r <= 1.5),
                report.Baseline.FollowUps));
        }

        if (report.TtftInterleavedMs.Any(t => t.Count >= 2))
        {
            targets.Add(Ratio("TTFT last turn / first turn, interleaved (worst session)",
                report.TtftInterleavedMs.Where(t => t.Count >= 2).Select(LastOverFirst).Max(), "<= 1.5x", r => r <= 1.5));
        }

        if (report.Grammar is { } grammar)
        {
            targets.Add(Ratio("decode tokens/s with a JSON-schema grammar vs without", grammar.Ratio, ">= 0.9x", r => r >= 0.9));
        }

        var counts = report.AggregateDecodeTokensPerSecond.Keys.Order().ToArray();
        if (counts.Length >= 2)
        {
            var most = counts[^1];
            targets.Add(Ratio($"aggregate decode, {most} clients / {counts[0]}",
                report.AggregateDecodeTokensPerSecond[most] / report.AggregateDecodeTokensPerSecond[counts[0]], ">= 1.8x", r => r >= 1.8));
        }

        if (report.LongChat is { } longChat)
        {
            targets.Add(Ratio("long chat: worst TTFT after the context filled / median of the 4 turns before, one session",
                longChat.SingleRatio, "<= 1.3x", r => r is > 0 and <= 1.3));
            targets.Add(Ratio("long chat: the same, sessions interleaving", longChat.InterleavedRatio, "<= 1.3x", r => r is > 0 and <= 1.3));
        }

        targets.Add(new BenchTarget($"peak memory at context {report.ContextSize}",
            string.Create(CultureInfo.InvariantCulture, $"{report.PeakMemoryBytes / 1073741824.0:F2} GiB"), "<= 1.3 GiB",
            report.PeakMemoryBytes <= 1.3 * 1073741824.0));
        return targets;
    }

    // Plain LLamaSharp's own growth over the same turns, beside Frugal's: what attention over a longer cache costs anyway.
    private static BenchTarget WithFloor(BenchTarget target, PairedFollowUps? followUps) =>
        followUps is { PlainGrowth: > 0 } paired
            ? target with { Measured = string.Create(CultureInfo.InvariantCulture, $"{target.Measured} (plain LLamaSharp, same work: {paired.PlainGrowth:F2}x)") }
            : target;

    private static double LastOverFirst(IReadOnlyList<double> values) => values.Count < 2 ? double.NaN : values[^1] / values[0];

    private static BenchTarget Ratio(string name, double value, string goal, Func<double, bool> met) =>
        new(name, string.Create(CultureInfo.InvariantCulture, $"{value:F2}x"), goal, !double.IsNaN(value) && met(value));
}
