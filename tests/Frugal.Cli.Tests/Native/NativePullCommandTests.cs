using System.Text.Json;
using Frugal.Cli.Native;
using Frugal.Tests.Commands;
using Frugal.Tests.Models;

namespace Frugal.Tests.Native;

/// <summary>
/// <c>frugal native pull</c> run as the real executable against a loopback registry serving the real npm package: it
/// installs the best build for this CPU beside the packaged libllama.so, and <c>generate --native-library</c> runs on it.
/// </summary>
public sealed class NativePullCommandTests : IAsyncLifetime
{
    private static readonly string PackagePath = $"{CpuBackendRelease.Package}/-/linux-x64-{CpuBackendRelease.Version}.tgz";
    private readonly TempDirectory _temp = new();
    private ModelFileServer _registry = null!;

    public async ValueTask InitializeAsync() => _registry = await ModelFileServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _registry.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Pull_RealPackage_InstallsTheBestBuildForThisCpuAndGenerateRunsOnIt()
    {
        _registry.Add(PackagePath, await NpmPackageCache.GetAsync(TestContext.Current.CancellationToken));
        var data = _temp.File("data");
        var native = Path.Combine(data, "native");

        var (code, output, error) = CliRunner.Process(["native", "pull", "--data", data], Registry());

        Assert.True(code == 0, error);
        var scores = Scores(output);
        var best = scores.Where(s => s.Value > 0 && !CpuBackendRelease.OnlyWhenNamed.Contains(s.Key)).MaxBy(s => s.Value).Key;
        Assert.Contains($"installed the '{best}' CPU backend: {Path.Combine(native, best, "libllama.so")}", output, StringComparison.Ordinal);
        Assert.Equal(["SOURCE", "libggml-base.so", "libggml-cpu.so", "libggml.so", "libllama.so"],
            Directory.GetFiles(Path.Combine(native, best)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // No download or unpacked builds left; the record auto reads.
        Assert.Equal(new[] { best, InstalledCpuBackend.RecordFile }.Order(StringComparer.Ordinal), Directory.GetFileSystemEntries(native).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // auto (no --native-library) on that data directory loads the installed build; 'packaged' LLamaSharp's own.
        var onData = new Dictionary<string, string> { ["FRUGAL_DATA"] = data };
        Assert.Equal(Path.Combine(native, best, "libggml-cpu.so"), GeneratedOn(onData));
        var packaged = GeneratedOn(onData, "--native-library", "packaged");
        Assert.StartsWith(Path.Combine(AppContext.BaseDirectory, "runtimes"), packaged, StringComparison.Ordinal);
    }

    // Runs generate (8 tokens) and answers the CPU backend it loaded.
    private static string? GeneratedOn(Dictionary<string, string> environment, params string[] more)
    {
        var (code, json, error) = CliRunner.Process(["generate", "-m", TestModels.Tiny, "-p", "Hello there", "--temperature", "0",
            "--max-tokens", "8", "--json", .. more], environment);

        Assert.True(code == 0, error);
        using var result = JsonDocument.Parse(json);
        Assert.Equal(8, result.RootElement.GetProperty("completion_tokens").GetInt32());
        return result.RootElement.GetProperty("cpu_backend").GetString();
    }

    [Fact]
    public async Task Pull_NamedBuildNotInThePackage_RefusedAndNothingInstalled()
    {
        _registry.Add(PackagePath, await NpmPackageCache.GetAsync(TestContext.Current.CancellationToken));
        var native = _temp.File("native");

        var (code, _, error) = CliRunner.Process(["native", "pull", "--dir", native, "--variant", "zen9"], Registry());

        Assert.Equal(1, code);
        Assert.Contains("no CPU backend 'zen9'", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(native));
    }

    [Fact]
    public void Pull_BytesThatAreNotThePackage_RefusedAndNothingLeft()
    {
        _registry.Add(PackagePath, new byte[4096]);
        var native = _temp.File("native");

        var (code, _, error) = CliRunner.Process(["native", "pull", "--dir", native], Registry());

        Assert.Equal(1, code);
        Assert.Contains($"expected {CpuBackendRelease.Size:N0} bytes with sha256 {CpuBackendRelease.Sha256}", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(native));
    }

    [Fact]
    public void Pull_PackageMissingFromTheRegistry_ClearError()
    {
        var native = _temp.File("native");

        var (code, _, error) = CliRunner.Process(["native", "pull", "--dir", native], Registry());

        Assert.Equal(1, code);
        Assert.Contains("HTTP 404", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Pull_RegistryNotAnHttpUrl_UsageError()
    {
        var (code, _, error) = CliRunner.Process(["native", "pull", "--dir", _temp.File("native")],
            new Dictionary<string, string> { [CpuBackendRelease.RegistryVariable] = "ftp://mirror.invalid/npm" });

        Assert.Equal(2, code);
        Assert.Contains("is not an http:// or https:// base URL", error, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Registry() => new() { [CpuBackendRelease.RegistryVariable] = new Uri(_registry.BaseAddress, "files/").ToString() };

    // "scores on this CPU (0: cannot run here): zen4 1984, cooperlake 1728, …"
    private static Dictionary<string, int> Scores(string output)
    {
        var line = output.Split('\n').Single(l => l.StartsWith("scores on this CPU", StringComparison.Ordinal));
        return line[(line.IndexOf("):", StringComparison.Ordinal) + 2)..].Split(',', StringSplitOptions.TrimEntries)
            .Select(pair => pair.Split(' ')).ToDictionary(p => p[0], p => int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
