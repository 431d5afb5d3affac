using System.Diagnostics;

namespace Frugal.Inference.Batching;

/// <summary>
/// Times the decode loop's steps for its <see cref="StepCostModel"/>: the wall clock. Tests book each step at a cost
/// of their own from what it carried, so the engine's choices (stream limit, pacing) are the same on any CPU.
/// </summary>
internal class StepTimer
{
    /// <summary>The wall clock, for the engine in production.</summary>
    public static StepTimer Wall { get; } = new();

    /// <summary>Marks the start of a step.</summary>
    public virtual long Start() => Stopwatch.GetTimestamp();

    /// <summary>What the step begun at <paramref name="started"/> took, now that it carried <paramref name="sequences"/> sequences and <paramref name="promptTokens"/> prompt tokens.</summary>
    public virtual TimeSpan Elapsed(long started, int sequences, int promptTokens) => Stopwatch.GetElapsedTime(started);
}
