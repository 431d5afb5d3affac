namespace Frugal.Cli.Native;

/// <summary>
/// The prebuilt llama.cpp CPU backends <c>frugal native pull</c> installs: npm's <c>@node-llama-cpp/linux-x64</c>
/// 3.20.0, built from llama.cpp b10361, with one <c>libggml-cpu</c> per x86-64 microarchitecture (LLamaSharp's own
/// packages have four, none with VNNI or AMX code). LLamaSharp 0.30.0 binds llama.cpp 815a2a591, ten days older:
/// b10361's <c>libllama.so</c> would break its calls, but ggml's public and internal headers are the same in both and
/// <c>ggml/src/ggml-cpu</c> differs by one preprocessor line, so only the CPU backend is taken from the package, beside
/// the packaged <c>libllama.so</c>, <c>libggml.so</c> and <c>libggml-base.so</c> (bench/RESULTS.md, "Quantization formats").
/// </summary>
internal static class CpuBackendRelease
{
    public const string Package = "@node-llama-cpp/linux-x64";
    public const string Version = "3.20.0";
    public const string LlamaCppRelease = "b10361";

    /// <summary>The npm registry to fetch from (a mirror's base URL), as npm's own <c>registry</c> setting.</summary>
    public const string RegistryVariable = "FRUGAL_NPM_REGISTRY";

    public const string DefaultRegistry = "https://registry.npmjs.org/";

    /// <summary>The tarball's SHA-256 (its npm integrity is sha512-zCSTd5m4…ZbvSQ==, the same bytes).</summary>
    public const string Sha256 = "76dbb03706ff469dee148e835e22c536b76c7c2865ac8c26f90739dda58b2dd0";

    public const long Size = 10_164_694;

    /// <summary>
    /// Chosen only when named: the AMX build. Its kernels need llama.cpp's repacked copy of the weights (1.2 GB more for
    /// TinyLlama Q8_0, which does not fit a 2 GiB box beside the mapped file) and decoded K-quants 0.68–0.94x as fast as
    /// the packaged build on a Xeon (bench/RESULTS.md); without the copy it runs the same AVX-512 VNNI code as icelake.
    /// </summary>
    public static IReadOnlySet<string> OnlyWhenNamed { get; } = new HashSet<string>(StringComparer.Ordinal) { "sapphirerapids" };

    /// <summary>
    /// Builds for CPUs without AVX2: the packaged libraries installed beside the backend are LLamaSharp's AVX2 ones, and
    /// on such a CPU LLamaSharp's own noavx/avx builds are all there is to gain.
    /// </summary>
    public static IReadOnlySet<string> BelowAvx2 { get; } = new HashSet<string>(StringComparer.Ordinal) { "x64", "sse42", "sandybridge", "ivybridge", "piledriver" };

    /// <summary>The tarball's URL on <paramref name="registry"/> (null or blank: <see cref="DefaultRegistry"/>).</summary>
    /// <exception cref="ArgumentException">The registry is not an http(s) base URL.</exception>
    public static Uri Tarball(string? registry)
    {
        var text = string.IsNullOrWhiteSpace(registry) ? DefaultRegistry : registry.Trim();
        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var root) || root.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"{RegistryVariable}='{registry}' is not an http:// or https:// base URL.", nameof(registry));
        }

        return new Uri(root, $"{Package}/-/linux-x64-{Version}.tgz");
    }
}
