using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Inference;

/// <summary>
/// What <c>Model:RepackWeights</c> = auto does: the 4-bit files, unless the CPU backend has its own kernels for every type
/// of their matrices on the mapped file and none for the repacked layout of any of them.
/// </summary>
public sealed class RepackDefaultTests
{
    private static readonly HashSet<GgmlType> None = [];
    private static readonly HashSet<GgmlType> Frugals = [GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.Q6_K];

    [Fact]
    public void RepacksByDefault_FileNotOf4BitType_DoesNotAskForTheKernels()
    {
        // Asking may load the native library (a plan made before the load): only the 4-bit files need the answer.
        var asked = 0;

        var q8 = EngineOptions.RepacksByDefault("Q8_0", new HashSet<GgmlType> { GgmlType.Q8_0 }, () => { asked++; return CpuKernels.None; });
        var q4 = EngineOptions.RepacksByDefault("Q4_0", new HashSet<GgmlType> { GgmlType.Q4_0 }, () => { asked++; return CpuKernels.None; });

        Assert.Equal((false, true, 1), (q8, q4, asked));
    }

    private static bool Repacks(string fileType, HashSet<GgmlType> matrixTypes, HashSet<GgmlType> own, HashSet<GgmlType> ownRepacked) =>
        EngineOptions.RepacksByDefault(fileType, matrixTypes, () => new CpuKernels(own, ownRepacked));

    [Theory]
    [InlineData("Q4_0", true)]
    [InlineData("Q4_K_M", true)]
    [InlineData("Q8_0", false)]
    [InlineData("Q6_K", false)]
    [InlineData("F16", false)]
    public void RepacksByDefault_LlamaCppsKernels_The4BitTypes(string fileType, bool repacked)
    {
        Assert.Equal(repacked, Repacks(fileType, new HashSet<GgmlType> { GgmlType.Q4_K, GgmlType.Q6_K }, None, None));
    }

    [Fact]
    public void RepacksByDefault_OwnKernelsForEveryMatrixType_ReadsTheMappedFileInstead()
    {
        Assert.False(Repacks("Q4_K_M", new HashSet<GgmlType> { GgmlType.Q4_K, GgmlType.Q6_K }, Frugals, None));
    }

    [Fact]
    public void RepacksByDefault_OwnKernelsMissOneType_Repacks()
    {
        Assert.True(Repacks("Q4_0", new HashSet<GgmlType> { GgmlType.Q4_0, GgmlType.Q6_K }, Frugals, None));
        Assert.True(Repacks("Q4_K_M", new HashSet<GgmlType> { GgmlType.Q4_K, GgmlType.Q6_K }, new HashSet<GgmlType> { GgmlType.Q4_K }, None));
    }

    [Fact]
    public void RepacksByDefault_OwnKernelsForTheRepackedLayout_Repacks()
    {
        // Frugal's backend: its own kernels on the mapped file for both types, and for llama.cpp's repacked Q4_K.
        HashSet<GgmlType> repackedQ4K = [GgmlType.Q4_K];
        Assert.True(Repacks("Q4_K_M", new HashSet<GgmlType> { GgmlType.Q4_K, GgmlType.Q6_K }, Frugals, repackedQ4K));
        Assert.True(Repacks("Q4_K_S", new HashSet<GgmlType> { GgmlType.Q4_K }, Frugals, repackedQ4K));
        // Never a file that is not 4-bit, and not for a repacked type the file does not hold.
        Assert.False(Repacks("Q5_K_M", new HashSet<GgmlType> { GgmlType.Q5_K, GgmlType.Q6_K }, new HashSet<GgmlType>(Frugals) { GgmlType.Q5_K }, repackedQ4K));
        Assert.False(Repacks("Q4_K_M", new HashSet<GgmlType> { GgmlType.Q4_K, GgmlType.Q6_K }, Frugals, new HashSet<GgmlType> { GgmlType.Q4_0 }));
    }

    [Fact]
    public void FrugalCpuKernels_PackagedBackend_None()
    {
        NativeLibrarySelection.Apply(NativeLibrarySelection.Auto);
        LlamaRuntime.LoadLibrary();

        Assert.NotNull(NativeLibrarySelection.LoadedCpuBackend());
        Assert.Empty(FrugalCpuKernels.Loaded());
        Assert.Empty(FrugalCpuKernels.LoadedRepacked());
    }
}
