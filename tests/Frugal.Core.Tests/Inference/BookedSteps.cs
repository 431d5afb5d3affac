using Frugal.Inference;
using Frugal.Inference.Batching;

namespace Frugal.Tests.Inference;

/// <summary>
/// A step timer that books every decode step at <paramref name="cost"/> of the sequences it carried: given to an engine,
/// its stream limit and prefill pacing are the same on any CPU.
/// </summary>
internal sealed class BookedSteps(Func<int, TimeSpan> cost) : StepTimer
{
    /// <summary>Every step, whatever it carried, booked at <paramref name="each"/>.</summary>
    public BookedSteps(TimeSpan each)
        : this(_ => each)
    {
    }

    public override long Start() => 0;

    public override TimeSpan Elapsed(long started, int sequences, int promptTokens) => cost(sequences);

    /// <summary>
    /// Loads an engine whose every decode step is booked at <paramref name="tick"/>, and runs one short reply alone so
    /// it has timed a one-stream step and a prompt token before the test begins.
    /// </summary>
    public static Task<LlamaEngine> LoadWarmedAsync(EngineOptions options, TimeSpan tick) => LoadWarmedAsync(options, new BookedSteps(tick));

    /// <summary>Loads an engine whose decode steps <paramref name="timer"/> books, and runs one short reply alone first.</summary>
    public static async Task<LlamaEngine> LoadWarmedAsync(EngineOptions options, BookedSteps timer)
    {
        var engine = await LlamaEngine.LoadAsync(options, timer, ct: TestContext.Current.CancellationToken);
        await GenerationRuns.RunAsync(engine, GenerationRuns.Greedy("Hello.", maxTokens: 4));
        return engine;
    }
}
