using System.Diagnostics;
using Frugal.Inference;

namespace Frugal.Tests.Inference;

/// <summary>
/// A clock that moves on by <paramref name="tick"/> each time it is read: given to an engine as its step clock, every
/// decode step is booked as taking exactly that long, so the engine's stream limit is the same on any CPU.
/// </summary>
internal sealed class SteppingClock(TimeSpan tick) : TimeProvider
{
    private readonly long _tick = (long)(tick.TotalSeconds * Frequency);
    private long _now;

    private static long Frequency => Stopwatch.Frequency;

    public override long TimestampFrequency => Frequency;

    public override long GetTimestamp() => Interlocked.Add(ref _now, _tick);

    /// <summary>
    /// Loads an engine whose every decode step is booked at <paramref name="tick"/>, and runs one short reply alone so
    /// it has timed a one-stream step and a prompt token before the test begins.
    /// </summary>
    public static async Task<LlamaEngine> LoadWarmedAsync(EngineOptions options, TimeSpan tick)
    {
        var engine = await LlamaEngine.LoadAsync(options, new SteppingClock(tick), ct: TestContext.Current.CancellationToken);
        await GenerationRuns.RunAsync(engine, GenerationRuns.Greedy("Hello.", maxTokens: 4));
        return engine;
    }
}
