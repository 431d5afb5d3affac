using LLama.Native;

namespace Frugal.Inference;

/// <summary>
/// Which llama.cpp native library the process loads (process-wide: the first engine's choice holds until the process
/// ends). A choice is one of <see cref="Choices"/> or the path of a <c>libllama.so</c> of one's own build, whose
/// <c>libggml*.so</c> sit beside it.
/// </summary>
public static class NativeLibrarySelection
{
    /// <summary>
    /// The default: the CPU backend <c>frugal native pull</c> or <c>native build</c> installed for this CPU, else Frugal's
    /// own CPU backend shipped with the release (<see cref="Frugal"/>) where the CPU can run it, when the command resolves
    /// it to that library's path before the engine loads (the CLI does, from its data directory); otherwise, as it
    /// reaches the loader, the same as <see cref="Packaged"/>.
    /// </summary>
    public const string Auto = "auto";

    /// <summary>
    /// LLamaSharp's own selection: the packaged build of the highest AVX level the CPU reports. Measured against the
    /// other packaged builds on an AVX-512 CPU (bench/RESULTS.md, "Quantization formats"): none decoded faster.
    /// </summary>
    public const string Packaged = "packaged";

    /// <summary>
    /// Frugal's own CPU backend as the release ships it beside the program (an AVX2 build with Frugal's matrix-vector
    /// products): a name the command resolves to that library's path, or refuses where it is absent or the CPU cannot run
    /// it. It cannot reach the loader unresolved (<see cref="Apply"/> refuses it).
    /// </summary>
    public const string Frugal = "frugal";

    /// <summary>The accepted names; anything else must be a path to a <c>libllama</c> file.</summary>
    public static IReadOnlyList<string> Choices { get; } = [Auto, Packaged, Frugal, "avx512", "avx2", "avx", "noavx"];

    private static readonly Lock s_gate = new();
    private static string? s_applied;

    /// <summary>What <see cref="Apply"/> configured, or null before.</summary>
    public static string? Applied
    {
        get
        {
            lock (s_gate)
            {
                return s_applied;
            }
        }
    }

    /// <summary>Null when <paramref name="choice"/> is acceptable, else why not.</summary>
    public static string? Problem(string? choice)
    {
        if (string.IsNullOrWhiteSpace(choice) || Choices.Contains(choice, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!choice.Contains('/', StringComparison.Ordinal) && !choice.Contains('\\', StringComparison.Ordinal))
        {
            return $"'{choice}' is none of {string.Join(", ", Choices)} nor a path to a libllama file";
        }

        return File.Exists(choice) ? null : $"{choice}: no such file";
    }

    /// <summary>
    /// Configures LLamaSharp's loader for <paramref name="choice"/> (null, blank or <see cref="Packaged"/>: <see cref="Auto"/>) before the library
    /// loads. Once loaded, the same choice again is a no-op and another one throws.
    /// </summary>
    /// <exception cref="ArgumentException">The choice is not acceptable (<see cref="Problem"/>), or is <see cref="Frugal"/> unresolved.</exception>
    /// <exception cref="InvalidOperationException">The library was loaded already with another choice.</exception>
    public static void Apply(string? choice)
    {
        choice = string.IsNullOrWhiteSpace(choice) || string.Equals(choice.Trim(), Packaged, StringComparison.OrdinalIgnoreCase) ? Auto : choice.Trim();
        if (Problem(choice) is { } problem)
        {
            throw new ArgumentException($"Native library {problem}.", nameof(choice));
        }

        if (string.Equals(choice, Frugal, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Native library '{Frugal}' is resolved by the frugal command to its shipped CPU backend; give that build's libllama.so path instead.", nameof(choice));
        }

        lock (s_gate)
        {
            if (s_applied is not null || NativeLibraryConfig.LLama.LibraryHasLoaded)
            {
                if (string.Equals(s_applied ?? Auto, choice, StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }

                throw new InvalidOperationException(
                    $"The native library is loaded already ({s_applied ?? "by another component"}); this process cannot switch to '{choice}'.");
            }

            Configure(choice);
            s_applied = Choices.FirstOrDefault(c => string.Equals(c, choice, StringComparison.OrdinalIgnoreCase)) ?? choice;
        }
    }

    /// <summary>The file name of native library <paramref name="name"/> ("ggml-cpu") on this OS: libggml-cpu.so on Linux.</summary>
    public static string FileName(string name) =>
        OperatingSystem.IsWindows() ? name + ".dll" : OperatingSystem.IsMacOS() ? "lib" + name + ".dylib" : "lib" + name + ".so";

    /// <summary>The path of the ggml CPU backend this process loaded (from /proc/self/maps), or null when none is loaded or it cannot tell.</summary>
    public static string? LoadedCpuBackend()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var at = line.IndexOf('/', StringComparison.Ordinal);
                if (at >= 0 && line.AsSpan(at).Contains("libggml-cpu", StringComparison.Ordinal))
                {
                    return line[at..];
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    private static void Configure(string choice)
    {
        var config = NativeLibraryConfig.All;
        switch (choice.ToLowerInvariant())
        {
            case Auto:
                break;
            case "avx512":
                config.WithAvx(AvxLevel.Avx512);
                break;
            case "avx2":
                config.WithAvx(AvxLevel.Avx2);
                break;
            case "avx":
                config.WithAvx(AvxLevel.Avx);
                break;
            case "noavx":
                config.WithAvx(AvxLevel.None);
                break;
            default:
                config.WithLibrary(Path.GetFullPath(choice), null);
                break;
        }
    }
}
