namespace Frugal.Inference;

/// <summary>
/// The start-up measurement behind an automatic choice of <see cref="EngineOptions.ParallelSequences"/>:
/// one decode step of one sequence against one step carrying a token of each of <see cref="Candidate"/>
/// sequences, on the loaded model.
/// </summary>
public sealed record ParallelMeasurement
{
    /// <summary>Aggregate gain needed to turn batching on: below it, the extra KV memory buys too little.</summary>
    public const double MinGain = 1.3;

    /// <summary>The sequence count tried (the most the memory plan allows).</summary>
    public required int Candidate { get; init; }

    /// <summary>Fastest decode step of one token of one sequence.</summary>
    public required TimeSpan SingleStep { get; init; }

    /// <summary>Fastest decode step of one token of each of <see cref="Candidate"/> sequences.</summary>
    public required TimeSpan BatchStep { get; init; }

    /// <summary>Aggregate tokens/s of the batched step over the single one.</summary>
    public double Gain => BatchStep > TimeSpan.Zero ? Candidate * SingleStep / BatchStep : 0;

    /// <summary>The sequence count chosen: <see cref="Candidate"/> when <see cref="Gain"/> reaches <see cref="MinGain"/>, else 1.</summary>
    public int Chosen => Gain >= MinGain ? Candidate : 1;

    /// <summary>The figures and the decision in one line.</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"parallel sequences {Chosen}: one decode step {SingleStep.TotalMilliseconds:0.#} ms, {Candidate} sequences in one step {BatchStep.TotalMilliseconds:0.#} ms, aggregate gain {Gain:0.00}x ")
        + (Chosen > 1
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"(at least {MinGain}x): continuous batching on")
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"(below {MinGain}x): one sequence, requests queue fairly"));
}
