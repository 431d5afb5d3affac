using System.Globalization;

namespace Frugal.Inference;

/// <summary>
/// The start-up measurement behind an automatic choice of <see cref="EngineOptions.ParallelSequences"/> and
/// <see cref="EngineOptions.PrefillChunkTokens"/>: one decode step carrying a token of each of 1, 2, … up to
/// <see cref="Candidate"/> sequences, on the loaded model. The choice is made for latency, not throughput:
/// as many concurrent streams as keep each one at or above <see cref="FloorTokensPerSecond"/>.
/// </summary>
public sealed record ParallelMeasurement
{
    /// <summary>Smallest prompt chunk chosen: below it a chunk's share of the weights' read costs more than it saves.</summary>
    public const int MinChunkTokens = 64;

    /// <summary>Largest prompt chunk chosen: beyond it one step holds the running replies back for too long.</summary>
    public const int MaxChunkTokens = 128;

    /// <summary>Fastest decode step of one token of each of n sequences, at index n - 1 (n = 1 … <see cref="Candidate"/>).</summary>
    public required IReadOnlyList<TimeSpan> StepCosts { get; init; }

    /// <summary>The slowest rate a running stream may be pushed to by another joining (tokens/s).</summary>
    public required double FloorTokensPerSecond { get; init; }

    /// <summary>The most sequences tried (the most the memory plan allows).</summary>
    public int Candidate => StepCosts.Count;

    /// <summary>Fastest decode step of one token of one sequence.</summary>
    public TimeSpan SingleStep => StepCosts[0];

    /// <summary>Fastest decode step of one token of each of <see cref="Candidate"/> sequences.</summary>
    public TimeSpan BatchStep => StepCosts[^1];

    /// <summary>Aggregate tokens/s of the largest batched step over the single one (for the record: the choice is by the floor).</summary>
    public double Gain => BatchStep > TimeSpan.Zero ? Candidate * SingleStep / BatchStep : 0;

    /// <summary>
    /// The stream count chosen: the most sequences (up to <see cref="Candidate"/>) whose shared decode step still gives
    /// each at least <see cref="FloorTokensPerSecond"/>; at least 1.
    /// </summary>
    public int Chosen
    {
        get
        {
            var chosen = 1;
            for (var n = 2; n <= Candidate && StepCosts[n - 1].TotalSeconds * FloorTokensPerSecond <= 1; n++)
            {
                chosen = n;
            }

            return chosen;
        }
    }

    /// <summary>
    /// Prompt tokens a step may carry beside running replies: as many as fit in the time one step may take at the
    /// floor rate, at the cost of one more row of the batch (the step costs' slope), within
    /// <see cref="MinChunkTokens"/>–<see cref="MaxChunkTokens"/> and rounded down to 16.
    /// </summary>
    public int ChunkTokens
    {
        get
        {
            var perRow = Candidate > 1 ? (BatchStep - SingleStep).TotalSeconds / (Candidate - 1) : 0;
            if (perRow <= 0)
            {
                return MinChunkTokens;
            }

            var room = (1 / FloorTokensPerSecond) - SingleStep.TotalSeconds;
            var tokens = room / perRow;
            return tokens >= MaxChunkTokens ? MaxChunkTokens : Math.Max(MinChunkTokens, (int)tokens / 16 * 16);
        }
    }

    /// <summary>The figures and the decision in one line.</summary>
    public string Describe()
    {
        var steps = string.Join(", ", StepCosts.Select((cost, i) => F($"{i + 1}: {cost.TotalMilliseconds:0.#} ms")));
        return F($"streams {Chosen}: decode step by sequences {steps} (aggregate gain of {Candidate}: {Gain:0.00}x); ")
            + (Chosen > 1
                ? F($"{Chosen} streams keep at least {FloorTokensPerSecond:0.##} tokens/s each; ")
                : F($"a second stream would fall below {FloorTokensPerSecond:0.##} tokens/s, requests queue fairly; "))
            + F($"prompt chunk {ChunkTokens} tokens beside running replies");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
