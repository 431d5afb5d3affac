using Frugal.Inference;
using Frugal.Inference.Batching;

namespace Frugal.Tests.Inference;

/// <summary>
/// A step timer that books every decode step, whatever it carried, at <paramref name="each"/>: given to an engine, its
/// stream limit and prefill pacing are the same on any CPU.
/// </summary>
internal sealed class BookedSteps(TimeSpan each) : StepTimer
{
    public override long Start() => 0;

    public override TimeSpan Elapsed(long started, int sequences, int promptTokens) => each;

    /// <summary>
    /// Loads an engine whose every decode step is booked at <paramref name="tick"/>, and runs one short reply alone so
    /// it has timed a one-stream step and a prompt token before the test begins.
    /// </summary>
    public static async Task<LlamaEngine> LoadWarmedAsync(EngineOptions options, TimeSpan tick)
    {
        var engine = await LlamaEngine.LoadAsync(options, new BookedSteps(tick), ct: TestContext.Current.CancellationToken);
        await GenerationRuns.RunAsync(engine, GenerationRuns.Greedy("Hello.", maxTokens: 4));
        return engine;
    }
}
