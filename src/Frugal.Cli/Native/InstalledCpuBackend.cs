using Frugal.Inference;

namespace Frugal.Cli.Native;

/// <summary>
/// The CPU backend <c>frugal native pull</c> or <c>frugal native build</c> installed last under <c>DATA/native</c>,
/// which <c>Model:NativeLibrary</c> = <c>auto</c> loads from then on (before the one shipped with the release,
/// <see cref="ShippedCpuBackend"/>): its record (<see cref="RecordFile"/>) names the build and the instruction-set flags
/// of the CPU it scored on. A backend runs only where the CPU has every instruction it was built for, and those are
/// among the recorded flags; so it is used only while this CPU still has all of them (a VPS moved to an older host
/// falls back to the shipped build or LLamaSharp's packaged pick, with a line that says so). And only while the copies
/// of LLamaSharp's libraries installed beside it are the ones this program ships: after an upgrade that brings another
/// libllama, LLamaSharp's calls would not match the old copy.
/// </summary>
internal static class InstalledCpuBackend
{
    /// <summary>The record's file name under the native directory.</summary>
    public const string RecordFile = "installed";

    /// <summary>What <c>auto</c> resolved to: the choice the engine takes, and one line on it for the operator (null: nothing to say).</summary>
    public sealed record Resolution(string Choice, string? Line);

    /// <summary>The CPU flags a ggml CPU backend's instructions are named by (the rest of /proc/cpuinfo's flags do not decide where it runs).</summary>
    public static IReadOnlySet<string> InstructionFlags(IEnumerable<string> flags) =>
        flags.Where(f => f.StartsWith("avx", StringComparison.Ordinal) || f.StartsWith("amx", StringComparison.Ordinal)
            || f is "fma" or "f16c" or "bmi2" or "sse4_2" or "ssse3").ToHashSet(StringComparer.Ordinal);

    /// <summary>The first of LLamaSharp's packaged libraries (<see cref="CpuBackendInstaller.PackagedLibraries"/>) missing from <paramref name="packagedDirectory"/>; null when all are there.</summary>
    public static string? MissingPackagedLibrary(string packagedDirectory) =>
        CpuBackendInstaller.PackagedLibraries.FirstOrDefault(name => !File.Exists(Path.Combine(packagedDirectory, name)));

    /// <summary>
    /// Puts the complete build in <paramref name="staged"/> (under <paramref name="nativeDirectory"/>) in place as
    /// <c>NATIVE/VARIANT</c>, replacing an earlier one, and records it; answers its <c>libllama.so</c>.
    /// </summary>
    public static string Install(string nativeDirectory, string variant, string staged, IEnumerable<string> cpuFlags)
    {
        var target = Path.Combine(nativeDirectory, variant);
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        Directory.Move(staged, target);
        Record(nativeDirectory, variant, cpuFlags);
        return Path.Combine(target, "libllama.so");
    }

    /// <summary>Records <paramref name="variant"/> (installed as <c>NATIVE/VARIANT/libllama.so</c>) as the build <c>auto</c> loads on this CPU.</summary>
    public static void Record(string nativeDirectory, string variant, IEnumerable<string> cpuFlags)
    {
        var temporary = Path.Combine(nativeDirectory, $".{RecordFile}-{Guid.NewGuid():N}");
        File.WriteAllLines(temporary,
        [
            $"variant {variant}",
            $"cpu {string.Join(' ', InstructionFlags(cpuFlags).Order(StringComparer.Ordinal))}",
        ]);
        File.Move(temporary, Path.Combine(nativeDirectory, RecordFile), overwrite: true);
    }

    /// <summary>
    /// A <c>--native-library</c> / <c>Model:NativeLibrary</c> value as the engine takes it: a path made absolute, any
    /// other value as <see cref="Resolve(string?, string, IReadOnlySet{string})"/> resolves it.
    /// </summary>
    /// <exception cref="CpuBackendException"><c>frugal</c>, which is not shipped here or which this CPU cannot run.</exception>
    public static string Choice(string? value, string dataDirectory, IReadOnlySet<string> cpuFlags) =>
        value is not null && value.Contains('/', StringComparison.Ordinal)
            ? Path.GetFullPath(value)
            : Resolve(value, dataDirectory, cpuFlags).Choice;

    /// <summary>
    /// The library to load for <paramref name="choice"/>. For <c>auto</c> (or none), in this order: the build recorded under
    /// <paramref name="dataDirectory"/><c>/native</c> when it is complete and this CPU (<paramref name="cpuFlags"/>) has
    /// every flag recorded with it (chosen for this very CPU); else Frugal's CPU backend shipped beside the program
    /// (<see cref="ShippedCpuBackend"/>) when this CPU runs it; else <c>auto</c> (LLamaSharp's packaged pick).
    /// <c>frugal</c>: the shipped build, or refused. Any other choice as it is.
    /// </summary>
    /// <exception cref="CpuBackendException"><c>frugal</c>, which is not shipped here or which this CPU cannot run.</exception>
    public static Resolution Resolve(string? choice, string dataDirectory, IReadOnlySet<string> cpuFlags) =>
        Resolve(choice, dataDirectory, cpuFlags, CpuBackendInstaller.DefaultPackagedDirectory, ShippedCpuBackend.DefaultDirectory);

    /// <summary>
    /// As <see cref="Resolve(string?, string, IReadOnlySet{string})"/>, with the packaged libraries in
    /// <paramref name="packagedDirectory"/> and the shipped build in <paramref name="shippedDirectory"/>.
    /// </summary>
    public static Resolution Resolve(string? choice, string dataDirectory, IReadOnlySet<string> cpuFlags, string packagedDirectory, string shippedDirectory)
    {
        var frugal = Is(choice, NativeLibrarySelection.Frugal);
        if (!frugal && !string.IsNullOrWhiteSpace(choice) && !Is(choice, NativeLibrarySelection.Auto))
        {
            return new Resolution(choice, null);
        }

        // Only frugal and auto look at the shipped build (an explicit choice touches no file).
        var shipped = ShippedCpuBackend.Library(shippedDirectory);
        var unshippable = ShippedCpuBackend.Problem(shippedDirectory, cpuFlags);
        if (frugal)
        {
            return unshippable is null
                ? new Resolution(shipped, $"CPU backend: Frugal's shipped avx2 build, as chosen ({shipped}).")
                : throw new CpuBackendException($"native library '{NativeLibrarySelection.Frugal}': {unshippable}.");
        }

        var (library, line, again) = Installed(dataDirectory, cpuFlags, packagedDirectory);
        if (library is not null)
        {
            return new Resolution(library, line);
        }

        if (unshippable is null)
        {
            return new Resolution(shipped, line is null
                ? $"CPU backend: Frugal's avx2 build shipped with this program ({shipped}: nothing installed for this CPU by 'frugal native build' or 'native pull'; Model:NativeLibrary=packaged for LLamaSharp's own build){VnniHint(cpuFlags)}."
                : $"CPU backend: {line}: Frugal's shipped avx2 build is used ({shipped}); run '{again}' again.");
        }

        if (line is not null)
        {
            return new Resolution(NativeLibrarySelection.Auto, $"CPU backend: {line}: LLamaSharp's packaged build is used; run '{again}' again.");
        }

        // Said when a build is shipped but this CPU cannot run it; silent for a program that ships none (a build from source).
        var shippedHere = File.Exists(Path.Combine(Path.GetFullPath(shippedDirectory), "libggml-cpu.so"));
        return new Resolution(NativeLibrarySelection.Auto, shippedHere ? $"CPU backend: LLamaSharp's packaged build: {unshippable}." : null);
    }

    /// <summary>
    /// What the shipped avx2 build leaves unused on a CPU with AVX-512 VNNI: Frugal's VNNI kernels, which only a build for
    /// the CPU has (TinyLlama Q8_0 prompts ≈2.5x, Q4_0 ≈1.3x the avx2 build's on Zen 4; bench/RESULTS.md, "Eighteenth session").
    /// </summary>
    internal static string VnniHint(IReadOnlySet<string> cpuFlags) =>
        cpuFlags.Contains("avx512_vnni") && cpuFlags.Contains("avx512vl")
            ? "; this CPU has AVX-512 VNNI, which 'frugal native build' compiles Frugal's backend with (Q8_0 prompts ≈2.5x as fast)"
            : "";

    private static bool Is(string? choice, string name) => string.Equals(choice?.Trim(), name, StringComparison.OrdinalIgnoreCase);

    // The build recorded under DATA/native when this CPU can load it, with the whole line on it; else no library and,
    // when one is recorded but cannot be used, why not (a clause the caller completes) and the command that makes it again.
    private static (string? Library, string? Line, string? Again) Installed(string dataDirectory, IReadOnlySet<string> cpuFlags, string packagedDirectory)
    {
        var native = Path.GetFullPath(Path.Combine(dataDirectory, "native"));
        if (Read(Path.Combine(native, RecordFile)) is not var (variant, recordedFlags))
        {
            return (null, null, null);
        }

        var library = Path.Combine(native, variant, "libllama.so");
        var again = variant == CpuBackendBuilder.Variant ? "frugal native build" : "frugal native pull";
        if (!File.Exists(library) || !File.Exists(Path.Combine(native, variant, "libggml-cpu.so")))
        {
            return (null, $"the '{variant}' build '{again}' recorded is not complete in {native}", again);
        }

        var missing = recordedFlags.Where(f => !cpuFlags.Contains(f)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            return (null, $"the '{variant}' build in {native} was installed on a CPU with {string.Join(", ", missing)}, which this one lacks", again);
        }

        if (CpuBackendInstaller.PackagedLibraries.FirstOrDefault(name => !SameBytes(Path.Combine(native, variant, name), Path.Combine(packagedDirectory, name))) is { } stale)
        {
            return (null, $"the '{variant}' build in {native} sits beside another version's {stale} than this program ships (installed before an upgrade)", again);
        }

        return (library, $"CPU backend: '{variant}', installed by '{again}' ({library}; Model:NativeLibrary=packaged for LLamaSharp's own build).", again);
    }

    // True when both files exist and hold the same bytes (the libraries are a few MB: read at start, once).
    private static bool SameBytes(string first, string second)
    {
        try
        {
            var a = new FileInfo(first);
            var b = new FileInfo(second);
            return a.Exists && b.Exists && a.Length == b.Length && File.ReadAllBytes(first).AsSpan().SequenceEqual(File.ReadAllBytes(second));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // The record's build and flags; null when there is none or it cannot be read as one.
    private static (string Variant, IReadOnlySet<string> Flags)? Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        string? variant = null;
        IReadOnlySet<string>? flags = null;
        foreach (var line in lines)
        {
            if (line.StartsWith("variant ", StringComparison.Ordinal))
            {
                variant = line["variant ".Length..].Trim();
            }
            else if (line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                flags = line["cpu ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            }
        }

        // A build name is lower-case letters and digits (as the installer accepts them): never a path.
        return variant is { Length: > 0 } && variant.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)) && flags is not null
            ? (variant, flags)
            : null;
    }
}
