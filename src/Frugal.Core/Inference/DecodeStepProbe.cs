using Frugal.Inference.Batching;
using Frugal.Models;
using Microsoft.Extensions.Logging;

namespace Frugal.Inference;

/// <summary>
/// How long one decode step of a model takes on this machine: the native library and the weights loaded as the engine
/// loads them (<see cref="LlamaRuntime.LoadWeights(EngineOptions, PinnedModelFile)"/>: memory-mapped, repacked as auto
/// decides), one sequence at a short context, a token a step; the fastest of a few steps after a warm-up (the box may
/// be busy). What a token costs beyond its matrices — attention, norms, the activations' quantization, the graph — is
/// this less the matrices' time at the measured kernel rates (see <see cref="QuantizationAdvice"/>). About a second
/// for the TinyLlama shape on one core, beside the load.
/// </summary>
public static class DecodeStepProbe
{
    /// <summary>
    /// One step of <paramref name="options"/>' model on <paramref name="threads"/> threads; llama.cpp's log of the load
    /// goes to <paramref name="logger"/> (none: dropped).
    /// </summary>
    /// <exception cref="ModelFileException">The file is not a model llama.cpp can load.</exception>
    public static TimeSpan Measure(EngineOptions options, int threads, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        using var pinned = PinnedModelFile.Open(options.ModelPath);
        NativeLibrarySelection.Apply(options.NativeLibrary);
        NativeLogRouter.Attach(logger);
        var (weights, _, _) = LlamaRuntime.LoadWeights(options, pinned);
        using (weights)
        {
            return BatchGainProbe.Measure(weights, options, candidate: 1, threads).SingleStep;
        }
    }
}
