using System.Security.Cryptography;
using Frugal.Cli.Native;

namespace Frugal.Tests.Native;

/// <summary>
/// The real <see cref="CpuBackendRelease"/> package for the tests, fetched once from the npm registry (or the mirror in
/// <see cref="CpuBackendRelease.RegistryVariable"/>, as <c>./test</c> fetches its npm clients) and kept, verified, in
/// the temporary directory; the tests serve it to <c>frugal native pull</c> from a loopback server.
/// </summary>
internal static class NpmPackageCache
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<byte[]> GetAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), $"frugal-tests-npm-linux-x64-{CpuBackendRelease.Version}.tgz");
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(path) && await File.ReadAllBytesAsync(path, cancellationToken) is var cached && Matches(cached))
            {
                return cached;
            }

            var source = CpuBackendRelease.Tarball(Environment.GetEnvironmentVariable(CpuBackendRelease.RegistryVariable));
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            var bytes = await http.GetByteArrayAsync(source, cancellationToken);
            Assert.True(Matches(bytes), $"{source} did not give {CpuBackendRelease.Package} {CpuBackendRelease.Version} (sha256 {CpuBackendRelease.Sha256})");
            var partial = $"{path}.{Environment.ProcessId}";
            await File.WriteAllBytesAsync(partial, bytes, cancellationToken);
            File.Move(partial, path, overwrite: true);
            return bytes;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static bool Matches(byte[] bytes) =>
        bytes.Length == CpuBackendRelease.Size && Convert.ToHexStringLower(SHA256.HashData(bytes)) == CpuBackendRelease.Sha256;
}
