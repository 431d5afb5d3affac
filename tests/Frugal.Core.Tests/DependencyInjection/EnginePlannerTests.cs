using Frugal.DependencyInjection;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Tests.Memory;
using Frugal.Tests.Models;
using Microsoft.Extensions.Options;

namespace Frugal.Tests.DependencyInjection;

/// <summary>The plan <c>frugal serve</c> fits to the box counts the weights the load repacks as the engine will repack them.</summary>
public sealed class EnginePlannerTests : IDisposable
{
    private const long MiB = 1024 * 1024;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Plan_TinyLlamaShapedQ4KMInTwoGiBRepackedOrNot_SameSettingsWeightsSplitAsRepacked()
    {
        // The real shape (667 MB, written in a few seconds): the default serve of TinyLlama Q4_K_M in a 2 GiB box must start.
        var path = _temp.File("tinyllama-q4km.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = ModelShape.TinyLlama11B, Quant = ModelQuantization.Q4_K_M });
        var file = GgufReader.Read(path);
        var repacked = RepackedWeights.Bytes(file, RepackedWeights.LlamaCppTypes);

        var on = Plan(path, repack: true, limitMiB: 2048);
        var off = Plan(path, repack: false, limitMiB: 2048);

        Assert.Null(on.Refusal);
        Assert.Equal(off.Engine with { RepackWeights = true }, on.Engine);
        Assert.Equal(2048, on.Engine.ContextSize);
        Assert.Equal((repacked, file.TensorDataBytes - repacked), (on.Fit!.Estimate.RepackedWeightsBytes, on.Fit.Estimate.MappedWeightsBytes));
        Assert.Equal((0L, file.TensorDataBytes), (off.Fit!.Estimate.RepackedWeightsBytes, off.Fit.Estimate.MappedWeightsBytes));
        Assert.InRange(repacked, 450 * MiB, 520 * MiB);
        Assert.True(on.Fit.LoadPeakBytes < 2048 * MiB);
        Assert.Contains(on.Reasons, r => r.StartsWith("load:", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_RepackAuto_CountsWhatTheLoadedBackendRepacks()
    {
        var path = _temp.File("q4km.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = SuperBlockModel.Shape, Quant = ModelQuantization.Q4_K_M });
        var file = GgufReader.Read(path);

        var plan = Plan(path, repack: null, limitMiB: 2048);

        // The tests' process loads LLamaSharp's packaged build (no kernels of Frugal's), with which auto repacks Q4_K_M.
        Assert.Empty(FrugalCpuKernels.Current().Mapped);
        Assert.Empty(FrugalCpuKernels.Current().Repacked);
        Assert.Equal(RepackedWeights.Bytes(file, RepackedWeights.LlamaCppTypes), plan.Fit!.Estimate.RepackedWeightsBytes);
        Assert.Equal(RepackedWeights.AtLoad(file, null, FrugalCpuKernels.Current), plan.Fit.Estimate.RepackedWeightsBytes);
    }

    private static EnginePlan Plan(string path, bool? repack, long limitMiB)
    {
        var options = new FrugalOptions { Model = new ModelOptions { Path = path, FitToBox = true, RepackWeights = repack } };
        var memory = new FakeMemoryProbe(TimeProvider.System) { LimitBytes = limitMiB * MiB };
        return new EnginePlanner(Options.Create(options), memory).Plan;
    }
}
