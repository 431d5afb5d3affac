using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using Frugal.Cli.Models;

namespace Frugal.Cli.Native;

/// <summary>
/// Installs the fastest of <see cref="CpuBackendRelease"/>'s CPU backends that runs on this CPU: downloads the package,
/// checks its size and SHA-256, unpacks the CPU backends, lets each score itself here, and puts the chosen one as
/// <c>DIR/VARIANT/libggml-cpu.so</c> beside copies of LLamaSharp's packaged <c>libllama.so</c>, <c>libggml.so</c> and
/// <c>libggml-base.so</c> — a directory <c>Model:NativeLibrary</c> can name — and records it as the build <c>auto</c>
/// loads on this CPU (<see cref="InstalledCpuBackend"/>). A failed pull leaves nothing behind, and an earlier install
/// of that build (and the record) stays as it was until the new one is complete.
/// </summary>
internal sealed class CpuBackendInstaller(HttpClient http, string packagedDirectory)
{
    private const string BinsPrefix = "package/bins/linux-x64/";
    private const string BackendPrefix = "libggml-cpu-";
    /// <summary>LLamaSharp's libraries copied beside an installed CPU backend.</summary>
    public static IReadOnlyList<string> PackagedLibraries { get; } = ["libllama.so", "libggml.so", "libggml-base.so"];

    /// <summary>Where LLamaSharp's AVX2 build of 815a2a591 sits beside the program (the libraries a CPU backend is put beside).</summary>
    public static string DefaultPackagedDirectory => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "avx2");

    /// <param name="directory">Where builds are installed (<c>DIR/VARIANT</c>).</param>
    /// <param name="variant">The build to install; null: the best that runs here.</param>
    /// <param name="source">The package tarball's URL.</param>
    /// <param name="cpuFlags">This CPU's feature flags (recorded with the build).</param>
    /// <param name="progress">Lines on what it is doing.</param>
    /// <param name="cancellationToken">Stops the download.</param>
    /// <exception cref="PullException">The download failed or does not match, or no build fits this CPU.</exception>
    public async Task<CpuBackendInstall> PullAsync(string directory, string? variant, Uri source, IEnumerable<string> cpuFlags, IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (InstalledCpuBackend.MissingPackagedLibrary(packagedDirectory) is { } absent)
        {
            throw new PullException($"LLamaSharp's packaged {absent} is not in {packagedDirectory}: the CPU backend is installed beside it.");
        }

        var root = Path.GetFullPath(directory);
        Directory.CreateDirectory(root);
        var work = Path.Combine(root, $".pull-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var tarball = Path.Combine(work, "package.tgz");
            progress?.Report($"downloading {source} ({CpuBackendRelease.Size:N0} bytes)");
            await DownloadAsync(source, tarball, cancellationToken).ConfigureAwait(false);
            var backends = Extract(tarball, work);
            var scores = backends.ToDictionary(b => b.Key, b => CpuBackendScore.Of(b.Value), StringComparer.Ordinal);
            var (chosen, score) = CpuBackendChoice.Choose(scores, variant);

            var staging = Path.Combine(work, "install");
            Directory.CreateDirectory(staging);
            foreach (var name in PackagedLibraries)
            {
                File.Copy(Path.Combine(packagedDirectory, name), Path.Combine(staging, name));
            }

            File.Copy(backends[chosen], Path.Combine(staging, "libggml-cpu.so"));
            await File.WriteAllTextAsync(Path.Combine(staging, "SOURCE"), string.Create(CultureInfo.InvariantCulture,
                $"libggml-cpu.so: the '{chosen}' CPU backend (score {score} here) of {CpuBackendRelease.Package} {CpuBackendRelease.Version} (llama.cpp {CpuBackendRelease.LlamaCppRelease}), package sha256 {CpuBackendRelease.Sha256}\nlibllama.so, libggml.so, libggml-base.so: LLamaSharp 0.30.0's packaged avx2 build\n"),
                cancellationToken).ConfigureAwait(false);

            return new CpuBackendInstall(chosen, score, InstalledCpuBackend.Install(root, chosen, staging, cpuFlags), scores);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task DownloadAsync(Uri source, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(source, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new PullException($"{source}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var total = 0L;
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var file = File.Create(path);
                await using (file.ConfigureAwait(false))
                {
                    var buffer = new byte[81920];
                    int read;
                    while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        total += read;
                        if (total > CpuBackendRelease.Size)
                        {
                            throw new PullException($"{source}: more than the {CpuBackendRelease.Size:N0} bytes of {CpuBackendRelease.Package} {CpuBackendRelease.Version}; not that package.");
                        }

                        sha256.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            var hash = Convert.ToHexStringLower(sha256.GetHashAndReset());
            if (total != CpuBackendRelease.Size || hash != CpuBackendRelease.Sha256)
            {
                throw new PullException($"{source}: {total:N0} bytes with sha256 {hash}, expected {CpuBackendRelease.Size:N0} bytes with sha256 {CpuBackendRelease.Sha256}; not installed.");
            }
        }
        catch (HttpRequestException e)
        {
            throw new PullException($"cannot download {source}: {e.Message}", e);
        }
    }

    // The package's CPU backends by build name, and its libggml-base.so beside them (each backend needs one to load and score).
    private static Dictionary<string, string> Extract(string tarball, string directory)
    {
        var backends = new Dictionary<string, string>(StringComparer.Ordinal);
        var hasBase = false;
        using (var tar = new TarReader(new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress)))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !entry.Name.StartsWith(BinsPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var file = entry.Name[BinsPrefix.Length..];
                if (file == "libggml-base.so")
                {
                    entry.ExtractToFile(Path.Combine(directory, file), overwrite: false);
                    hasBase = true;
                }
                else if (file.StartsWith(BackendPrefix, StringComparison.Ordinal) && file.EndsWith(".so", StringComparison.Ordinal)
                    && file[BackendPrefix.Length..^3] is { Length: > 0 } name && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
                {
                    var path = Path.Combine(directory, file);
                    entry.ExtractToFile(path, overwrite: false);
                    backends[name] = path;
                }
            }
        }

        if (!hasBase || backends.Count == 0)
        {
            throw new PullException($"{CpuBackendRelease.Package} {CpuBackendRelease.Version} holds no CPU backends for linux-x64.");
        }

        return backends;
    }
}
