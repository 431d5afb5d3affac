using Frugal.Cli.Models;
using Frugal.Cli.Native;

namespace Frugal.Tests.Native;

/// <summary>Which prebuilt CPU backend <c>frugal native pull</c> installs, from what each build scored on the CPU.</summary>
public sealed class CpuBackendChoiceTests
{
    // What the builds scored on an AMD EPYC with AVX-512 VNNI and BF16 (zen4), and what an AMX Xeon adds.
    private static readonly Dictionary<string, int> Epyc = new(StringComparer.Ordinal)
    {
        ["x64"] = 1,
        ["sse42"] = 5,
        ["haswell"] = 64,
        ["skylakex"] = 192,
        ["icelake"] = 1472,
        ["cooperlake"] = 1728,
        ["zen4"] = 1984,
        ["alderlake"] = 0,
        ["sapphirerapids"] = 0,
    };

    private static readonly Dictionary<string, int> AmxXeon = new(StringComparer.Ordinal)
    {
        ["x64"] = 1,
        ["haswell"] = 64,
        ["icelake"] = 1472,
        ["cooperlake"] = 1728,
        ["sapphirerapids"] = 3520,
        ["zen4"] = 0,
    };

    [Fact]
    public void Choose_NoneNamed_TheHighestScoreThatRunsHere()
    {
        Assert.Equal(new KeyValuePair<string, int>("zen4", 1984), CpuBackendChoice.Choose(Epyc, null));
    }

    [Fact]
    public void Choose_AmxCpuNoneNamed_TheBestBuildWithoutAmx()
    {
        Assert.Equal("cooperlake", CpuBackendChoice.Choose(AmxXeon, null).Key);
    }

    [Fact]
    public void Choose_AmxBuildNamed_ThatBuild()
    {
        Assert.Equal("sapphirerapids", CpuBackendChoice.Choose(AmxXeon, "sapphirerapids").Key);
    }

    [Fact]
    public void Choose_NamedBuildLackingInstructionsHere_RefusedWithWhatRuns()
    {
        var e = Assert.Throws<PullException>(() => CpuBackendChoice.Choose(Epyc, "sapphirerapids"));

        Assert.Contains("cannot run on this CPU", e.Message, StringComparison.Ordinal);
        Assert.Contains("zen4 (1984)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_NamedBuildNotInThePackage_RefusedWithTheBuilds()
    {
        var e = Assert.Throws<PullException>(() => CpuBackendChoice.Choose(Epyc, "zen5"));

        Assert.Contains("no CPU backend 'zen5'", e.Message, StringComparison.Ordinal);
        Assert.Contains("icelake", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_CpuWithoutAvx2_RefusedThePackagedBuildsServeIt()
    {
        var old = new Dictionary<string, int>(StringComparer.Ordinal) { ["x64"] = 1, ["sse42"] = 5, ["sandybridge"] = 21, ["haswell"] = 0, ["zen4"] = 0 };

        var e = Assert.Throws<PullException>(() => CpuBackendChoice.Choose(old, null));

        Assert.Contains("no AVX2", e.Message, StringComparison.Ordinal);
        Assert.Throws<PullException>(() => CpuBackendChoice.Choose(old, "sandybridge"));
    }
}
