using Frugal.Cli.Commands;
using Frugal.Memory;

namespace Frugal.Tests.Commands;

/// <summary>The line <c>frugal serve</c> prints at start when the packaged llama.cpp build leaves the CPU's VNNI unused.</summary>
public sealed class ServeCpuBackendLineTests
{
    [Theory]
    [InlineData(null, "avx2 avx512f avx512_vnni", true)]
    [InlineData("auto", "avx2 avx_vnni", true)]
    [InlineData("auto", "avx2 avx512f", false)] // no VNNI: the packaged avx512 build is the one
    [InlineData("avx2", "avx2 avx512f avx512_vnni", false)] // a packaged build chosen by name
    [InlineData("/opt/native/zen4/libllama.so", "avx2 avx512f avx512_vnni", false)] // a build of one's own
    public void CpuBackendLine_OnlyForThePackagedPickOnAVnniCpu(string? nativeLibrary, string flags, bool shown)
    {
        var cpu = new CpuSnapshot { OnlineCpus = 1, AllowedCpus = 1, Source = CgroupVersion.None, Flags = flags.Split(' ').ToHashSet() };

        var line = ServeCommand.CpuBackendLine(nativeLibrary, cpu);

        Assert.Equal(shown, line is not null);
        if (shown)
        {
            Assert.Contains("'frugal native build' compiles Frugal's backend for it", line, StringComparison.Ordinal);
            Assert.Contains("'frugal native pull' installs", line, StringComparison.Ordinal);
        }
    }
}
