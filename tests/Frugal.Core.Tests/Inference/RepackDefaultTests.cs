using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Inference;

/// <summary>What <c>Model:RepackWeights</c> = auto does: the 4-bit files, unless the CPU backend has its own kernels for every type of their matrices.</summary>
public sealed class RepackDefaultTests
{
    private static readonly HashSet<GgmlType> None = [];
    private static readonly HashSet<GgmlType> Frugals = [GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K];

    [Theory]
    [InlineData("Q4_0", true)]
    [InlineData("Q4_K_M", true)]
    [InlineData("Q8_0", false)]
    [InlineData("Q6_K", false)]
    [InlineData("F16", false)]
    public void RepacksByDefault_LlamaCppsKernels_The4BitTypes(string fileType, bool repacked)
    {
        Assert.Equal(repacked, EngineOptions.RepacksByDefault(fileType, new HashSet<GgmlType> { GgmlType.Q4_K, GgmlType.Q6_K }, None));
    }

    [Fact]
    public void RepacksByDefault_OwnKernelsForEveryMatrixType_ReadsTheMappedFileInstead()
    {
        Assert.False(EngineOptions.RepacksByDefault("Q4_K_M", new HashSet<GgmlType> { GgmlType.Q4_K, GgmlType.Q6_K }, Frugals));
    }

    [Fact]
    public void RepacksByDefault_OwnKernelsMissOneType_Repacks()
    {
        Assert.True(EngineOptions.RepacksByDefault("Q4_0", new HashSet<GgmlType> { GgmlType.Q4_0, GgmlType.Q6_K }, Frugals));
        Assert.True(EngineOptions.RepacksByDefault("Q4_K_M", new HashSet<GgmlType> { GgmlType.Q4_K, GgmlType.Q6_K }, new HashSet<GgmlType> { GgmlType.Q4_K }));
    }

    [Fact]
    public void FrugalCpuKernels_PackagedBackend_None()
    {
        NativeLibrarySelection.Apply(NativeLibrarySelection.Auto);
        LlamaRuntime.LoadLibrary();

        Assert.NotNull(NativeLibrarySelection.LoadedCpuBackend());
        Assert.Empty(FrugalCpuKernels.Loaded());
    }
}
