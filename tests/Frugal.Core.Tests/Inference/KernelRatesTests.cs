using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Inference;

/// <summary>The loaded llama.cpp CPU backend's matrix-times-column rates, measured through a real ggml graph.</summary>
public sealed class KernelRatesTests
{
    [Fact]
    public void Measure_EachType_APositiveRateFromTheLoadedBackend()
    {
        GgmlType[] types = [GgmlType.Q8_0, GgmlType.Q6_K, GgmlType.Q5_K, GgmlType.Q4_K, GgmlType.Q4_0, GgmlType.F16];

        var rates = KernelRates.Measure(NativeLibrarySelection.Auto, types, rowLength: 512, threads: 1, TimeSpan.FromMilliseconds(20), matrixBytes: 2L << 20);

        Assert.Equal(types.ToHashSet(), rates.BytesPerSecond.Keys.ToHashSet());
        Assert.All(rates.BytesPerSecond.Values, r => Assert.True(double.IsFinite(r) && r > 0, $"rate {r}"));
        Assert.Equal(1, rates.Threads);
        Assert.EndsWith("libggml-cpu.so", rates.CpuBackend, StringComparison.Ordinal);
    }

    [Fact]
    public void Measure_Repacked_TheTypesLlamaCppRepacksGoThroughItsRepackBuffer()
    {
        // Q4_K and Q4_0 set into the backend's repack buffer (llama.cpp converts them as a repacking load does); Q8_0,
        // asked for too, has no repacked layout and is measured as it is.
        var rates = KernelRates.Measure(NativeLibrarySelection.Auto, [GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q4_0], rowLength: 512, threads: 1,
            TimeSpan.FromMilliseconds(20), matrixBytes: 2L << 20, repacked: new HashSet<GgmlType> { GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q4_0 });

        Assert.Equal([GgmlType.Q4_0, GgmlType.Q4_K], rates.Repacked.Order());
        Assert.All(rates.BytesPerSecond.Values, r => Assert.True(double.IsFinite(r) && r > 0, $"rate {r}"));
        Assert.Equal(3, rates.BytesPerSecond.Count);
    }

    [Fact]
    public void Measure_RowLengthNotAMultipleOfTheSuperBlock_LeavesTheKQuantsOut()
    {
        var rates = KernelRates.Measure(NativeLibrarySelection.Auto, [GgmlType.Q8_0, GgmlType.Q4_K], rowLength: 96, threads: 1, TimeSpan.FromMilliseconds(5), matrixBytes: 1L << 20);

        Assert.Equal([GgmlType.Q8_0], rates.BytesPerSecond.Keys);
    }
}
