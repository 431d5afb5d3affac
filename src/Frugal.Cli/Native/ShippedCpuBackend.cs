namespace Frugal.Cli.Native;

/// <summary>
/// Frugal's CPU backend as the release ships it: <c>./release</c> compiles <c>native/cpu/build.sh</c> with
/// <c>TARGET=avx2</c> (llama.cpp b10361's CPU backend with Frugal's Q8_0, Q4_K, Q5_K and Q6_K matrix-vector products,
/// for any CPU with AVX2, FMA, F16C and BMI2) and puts it as <c>native/frugal-avx2/</c> beside the program, with copies
/// of LLamaSharp's packaged avx2 <c>libllama.so</c>, <c>libggml.so</c> and <c>libggml-base.so</c> from the same
/// release. <c>Model:NativeLibrary</c> = <c>auto</c> loads it when nothing is installed for this CPU in <c>DATA/native</c>
/// (<see cref="InstalledCpuBackend"/>); <c>frugal</c> names it.
/// </summary>
internal static class ShippedCpuBackend
{
    /// <summary>The directory's name under <c>native/</c> beside the program.</summary>
    public const string DirectoryName = "frugal-avx2";

    /// <summary>Where the release puts it: beside the program.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "native", DirectoryName);

    /// <summary>The instruction-set flags it is compiled with (build.sh's TARGET=avx2): a CPU without one of them would fault on it.</summary>
    public static IReadOnlyList<string> Instructions { get; } = ["avx2", "fma", "f16c", "bmi2"];

    /// <summary>The <c>libllama.so</c> to load from <paramref name="directory"/>.</summary>
    public static string Library(string directory) => Path.Combine(Path.GetFullPath(directory), "libllama.so");

    /// <summary>Null when the build in <paramref name="directory"/> is complete and this CPU (<paramref name="cpuFlags"/>) runs it; else why not.</summary>
    public static string? Problem(string directory, IReadOnlySet<string> cpuFlags)
    {
        ArgumentNullException.ThrowIfNull(cpuFlags);
        var full = Path.GetFullPath(directory);
        if (CpuBackendInstaller.PackagedLibraries.Append("libggml-cpu.so").FirstOrDefault(name => !File.Exists(Path.Combine(full, name))) is { } absent)
        {
            var what = Directory.Exists(full) ? $"{Path.Combine(full, absent)} is missing" : $"no {full}";
            return $"Frugal's CPU backend is not shipped beside this program ({what}: a release made with "
                   + "FRUGAL_RELEASE_BACKEND=none, or a build from source); 'frugal native build' compiles one for this CPU";
        }

        var missing = Instructions.Where(f => !cpuFlags.Contains(f)).ToList();
        return missing.Count > 0
            ? $"this CPU lacks {string.Join(", ", missing)}, which Frugal's shipped CPU backend ({full}) is compiled for"
            : null;
    }
}
