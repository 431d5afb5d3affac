using Frugal.Cli.Native;
using Frugal.Inference;

namespace Frugal.Tests.Native;

/// <summary>
/// What <c>Model:NativeLibrary</c> = <c>auto</c> loads: the CPU backend <c>frugal native pull</c> recorded in the data
/// directory, only while this CPU has every instruction flag it was installed with, else Frugal's CPU backend shipped
/// beside the program where this CPU runs it, else LLamaSharp's packaged pick; and <c>frugal</c>, the shipped one or refused.
/// </summary>
public sealed class InstalledCpuBackendTests : IDisposable
{
    private static readonly IReadOnlySet<string> Zen4 = new HashSet<string> { "fpu", "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512bw" };
    private static readonly IReadOnlySet<string> Zen3 = new HashSet<string> { "fpu", "sse4_2", "avx", "avx2", "fma", "f16c", "bmi2" };
    private static readonly IReadOnlySet<string> SandyBridge = new HashSet<string> { "fpu", "sse4_2", "avx" };
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(null)]
    [InlineData("auto")]
    [InlineData(" AUTO ")]
    public void Resolve_RecordedBuildOnTheSameCpu_ItsLibrary(string? choice)
    {
        var library = Install("zen4", Zen4);

        var resolved = Resolve(choice, _temp.Path, Zen4);

        Assert.Equal(library, resolved.Choice);
        Assert.Contains("'zen4', installed by 'frugal native pull'", resolved.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FrugalsOwnBuild_NamesTheCommandThatMadeIt()
    {
        var library = Install(CpuBackendBuilder.Variant, Zen4);

        Assert.Equal(library, Resolve("auto", _temp.Path, Zen4).Choice);
        Assert.Contains("'frugal', installed by 'frugal native build'", Resolve("auto", _temp.Path, Zen4).Line, StringComparison.Ordinal);
        var older = Resolve("auto", _temp.Path, Zen4.Where(f => f != "avx512f").ToHashSet());
        Assert.Equal(NativeLibrarySelection.Auto, older.Choice);
        Assert.Contains("run 'frugal native build' again", older.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_CpuWithMoreFlags_StillTheRecordedBuild()
    {
        var library = Install("zen4", Zen4);

        var resolved = Resolve("auto", _temp.Path, new HashSet<string>(Zen4) { "amx_tile", "avx512_bf16" });

        Assert.Equal(library, resolved.Choice);
    }

    [Fact]
    public void Resolve_CpuLackingARecordedInstructionFlag_PackagedPickAndALineThatSaysWhy()
    {
        Install("zen4", Zen4);
        var older = Zen4.Where(f => f != "avx512_vnni").ToHashSet();

        var resolved = Resolve("auto", _temp.Path, older);

        Assert.Equal(NativeLibrarySelection.Auto, resolved.Choice);
        Assert.Contains("with avx512_vnni, which this one lacks", resolved.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FlagsThatNameNoInstruction_DoNotCount()
    {
        var library = Install("zen4", new HashSet<string>(Zen4) { "hypervisor", "rdrand" });

        Assert.Equal(library, Resolve("auto", _temp.Path, Zen4).Choice);
    }

    [Theory]
    [InlineData("packaged")]
    [InlineData("avx2")]
    [InlineData("/opt/llama/libllama.so")]
    public void Resolve_AnyOtherChoice_AsGiven(string choice)
    {
        Install("zen4", Zen4);

        var resolved = Resolve(choice, _temp.Path, Zen4);

        Assert.Equal(choice, resolved.Choice);
        Assert.Null(resolved.Line);
    }

    [Fact]
    public void Resolve_NothingInstalled_PackagedPickSilently()
    {
        var resolved = Resolve(null, _temp.Path, Zen4);

        Assert.Equal(NativeLibrarySelection.Auto, resolved.Choice);
        Assert.Null(resolved.Line);
    }

    [Fact]
    public void Resolve_RecordedBuildMissingItsCpuBackend_PackagedPickAndALine()
    {
        var library = Install("zen4", Zen4);
        File.Delete(Path.Combine(Path.GetDirectoryName(library)!, "libggml-cpu.so"));

        var resolved = Resolve("auto", _temp.Path, Zen4);

        Assert.Equal(NativeLibrarySelection.Auto, resolved.Choice);
        Assert.Contains("is not complete", resolved.Line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("variant ../../etc\ncpu avx2\n")]
    [InlineData("variant zen4\n")]
    [InlineData("garbage")]
    [InlineData("")]
    public void Resolve_RecordThatIsNotOne_PackagedPick(string record)
    {
        Install("zen4", Zen4);
        File.WriteAllText(Path.Combine(_temp.Path, "native", InstalledCpuBackend.RecordFile), record);

        var resolved = Resolve("auto", _temp.Path, Zen4);

        Assert.Equal(NativeLibrarySelection.Auto, resolved.Choice);
        Assert.Null(resolved.Line);
    }

    [Fact]
    public void Record_AgainForAnotherBuild_ReplacesTheFirst()
    {
        Install("icelake", Zen4);
        var library = Install("zen4", Zen4);

        Assert.Equal(library, Resolve("auto", _temp.Path, Zen4).Choice);
        Assert.Equal(["icelake", InstalledCpuBackend.RecordFile, "zen4"],
            Directory.GetFileSystemEntries(Path.Combine(_temp.Path, "native")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Resolve_InstalledBesideAnotherVersionsLibllama_PackagedPickAndALine()
    {
        Install("zen4", Zen4);
        File.WriteAllBytes(Path.Combine(Packaged, "libllama.so"), Library("libllama.so, a later LLamaSharp's"));

        var resolved = Resolve("auto", _temp.Path, Zen4);

        Assert.Equal(NativeLibrarySelection.Auto, resolved.Choice);
        Assert.Contains("another version's libllama.so", resolved.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_TheProgramsOwnPackagedLibraries_AreTheOnesItShips()
    {
        // Without a directory: the libraries beside this program (the test's output has LLamaSharp's runtimes too).
        Assert.True(File.Exists(Path.Combine(CpuBackendInstaller.DefaultPackagedDirectory, "libllama.so")));
        Install("zen4", Zen4);

        Assert.Equal(NativeLibrarySelection.Auto, InstalledCpuBackend.Resolve("auto", _temp.Path, Zen4).Choice); // the fake copies differ
    }

    [Fact]
    public void Resolve_NothingInstalledShippedBuildAndAnAvx2Cpu_TheShippedBuild()
    {
        var shipped = Ship();

        var resolved = Resolve("auto", _temp.Path, Zen3);

        Assert.Equal(shipped, resolved.Choice);
        Assert.Contains("Frugal's avx2 build shipped with this program", resolved.Line, StringComparison.Ordinal);
        Assert.DoesNotContain("VNNI", resolved.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_NothingInstalledShippedBuildAndAnAvx512VnniCpu_TheShippedBuildAndWhatNativeBuildAdds()
    {
        var shipped = Ship();

        var zen4 = Zen3.Union(["avx512f", "avx512vl", "avx512bw", "avx512_vnni"]).ToHashSet();

        var resolved = Resolve("auto", _temp.Path, zen4);

        Assert.Equal(shipped, resolved.Choice);
        Assert.Contains("this CPU has AVX-512 VNNI, which 'frugal native build' compiles Frugal's backend with", resolved.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_InstalledAndShipped_TheInstalledBuildForThisCpu()
    {
        Ship();
        var library = Install(CpuBackendBuilder.Variant, Zen3);

        var resolved = Resolve(null, _temp.Path, Zen3);

        Assert.Equal(library, resolved.Choice);
        Assert.Contains("installed by 'frugal native build'", resolved.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_InstalledForACpuWithMoreAndShipped_TheShippedBuildAndALineThatSaysWhy()
    {
        var shipped = Ship();
        Install("zen4", new HashSet<string>(Zen4) { "bmi2" });

        var resolved = Resolve("auto", _temp.Path, Zen3);

        Assert.Equal(shipped, resolved.Choice);
        Assert.Contains("which this one lacks: Frugal's shipped avx2 build is used", resolved.Line, StringComparison.Ordinal);
        Assert.Contains("run 'frugal native pull' again", resolved.Line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fpu sse4_2 avx", "avx2, fma, f16c, bmi2")]
    [InlineData("fpu sse4_2 avx avx2 fma f16c", "bmi2")]
    public void Resolve_ShippedBuildOnACpuWithoutItsInstructions_PackagedPickAndALineThatSaysWhy(string flags, string lacks)
    {
        Ship();

        var resolved = Resolve("auto", _temp.Path, flags.Split(' ').ToHashSet());

        Assert.Equal(NativeLibrarySelection.Auto, resolved.Choice);
        Assert.Contains($"LLamaSharp's packaged build: this CPU lacks {lacks}, which Frugal's shipped CPU backend", resolved.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ShippedBuildIncomplete_PackagedPickSilently()
    {
        Ship();
        File.Delete(Path.Combine(Shipped, "libggml-cpu.so"));

        var resolved = Resolve("auto", _temp.Path, Zen3);

        Assert.Equal(NativeLibrarySelection.Auto, resolved.Choice);
        Assert.Null(resolved.Line);
    }

    [Theory]
    [InlineData("frugal")]
    [InlineData(" FRUGAL ")]
    public void Resolve_Frugal_TheShippedBuildEvenWithAnotherInstalled(string choice)
    {
        var shipped = Ship();
        Install(CpuBackendBuilder.Variant, Zen3);

        var resolved = Resolve(choice, _temp.Path, Zen3);

        Assert.Equal(shipped, resolved.Choice);
        Assert.Contains("Frugal's shipped avx2 build, as chosen", resolved.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FrugalNotShipped_Refused()
    {
        Install(CpuBackendBuilder.Variant, Zen3);

        var refused = Assert.Throws<CpuBackendException>(() => Resolve("frugal", _temp.Path, Zen3));

        Assert.Contains("Frugal's CPU backend is not shipped beside this program", refused.Message, StringComparison.Ordinal);
        Assert.Contains("FRUGAL_RELEASE_BACKEND=none", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FrugalOnACpuWithoutAvx2_Refused()
    {
        Ship();

        var refused = Assert.Throws<CpuBackendException>(() => Resolve("frugal", _temp.Path, SandyBridge));

        Assert.Contains("this CPU lacks avx2, fma, f16c, bmi2", refused.Message, StringComparison.Ordinal);
    }

    // The packaged libraries this test's program "ships".
    private string Packaged => Directory.CreateDirectory(Path.Combine(_temp.Path, "packaged")).FullName;

    // Where this test's program has Frugal's shipped CPU backend (empty until Ship).
    private string Shipped => Path.Combine(_temp.Path, "program", "native", ShippedCpuBackend.DirectoryName);

    private InstalledCpuBackend.Resolution Resolve(string? choice, string data, IReadOnlySet<string> flags) =>
        InstalledCpuBackend.Resolve(choice, data, flags, Packaged, Shipped);

    // The four libraries the release puts beside the program; answers the libllama.so to load.
    private string Ship()
    {
        Directory.CreateDirectory(Shipped);
        foreach (var name in CpuBackendInstaller.PackagedLibraries.Append("libggml-cpu.so"))
        {
            File.WriteAllBytes(Path.Combine(Shipped, name), Library(name + " shipped"));
        }

        return Path.Combine(Shipped, "libllama.so");
    }

    private static byte[] Library(string name) => [0x7f, (byte)'E', (byte)'L', (byte)'F', .. System.Text.Encoding.ASCII.GetBytes(name)];

    // The files an install leaves (copies of the packaged libraries, a CPU backend), and its record.
    private string Install(string variant, IEnumerable<string> flags)
    {
        var native = Path.Combine(_temp.Path, "native");
        var directory = Directory.CreateDirectory(Path.Combine(native, variant)).FullName;
        foreach (var name in CpuBackendInstaller.PackagedLibraries)
        {
            File.WriteAllBytes(Path.Combine(directory, name), Library(name));
            File.WriteAllBytes(Path.Combine(Packaged, name), Library(name));
        }

        File.WriteAllBytes(Path.Combine(directory, "libggml-cpu.so"), Library("libggml-cpu.so " + variant));
        InstalledCpuBackend.Record(native, variant, flags);
        return Path.Combine(directory, "libllama.so");
    }
}
