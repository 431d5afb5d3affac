using Frugal.Cli.Models;
using Frugal.Tests.Commands;

namespace Frugal.Tests.Models;

/// <summary><c>frugal model pull|list</c> and <c>serve</c>'s default model, run as the real executable against a local server.</summary>
public sealed class ModelPullCommandTests : IAsyncLifetime
{
    private LocalModelHub _hub = null!;

    public async ValueTask InitializeAsync() => _hub = await LocalModelHub.StartAsync();

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    [Fact]
    public void Pull_CatalogueNameFromAMirror_VerifiedByTheDigestHeaderAndListed()
    {
        var entry = ModelCatalogue.Find("tinyllama:q4_k_m")!;
        _hub.Server.Add(entry.FileName, _hub.Model);
        _hub.Server.RedirectDigest = _hub.Sha256;
        var models = _hub.Temp.File("models");
        var mirror = new Dictionary<string, string> { [ModelCatalogue.MirrorVariable] = new Uri(_hub.Server.BaseAddress, "resolve/").ToString() };

        var (code, output, error) = CliRunner.Process(["model", "pull", "tinyllama:q4_k_m", "--models", models], mirror);

        Assert.True(code == 0, error);
        Assert.Contains($"sha256 {_hub.Sha256} (matches the server's content digest header)", output, StringComparison.Ordinal);
        Assert.Equal(_hub.Model, File.ReadAllBytes(Path.Combine(models, entry.FileName)));
        Assert.Contains(_hub.Server.Requests, r => r.Path == "/resolve/" + entry.FileName);
        var (_, listed, _) = CliRunner.Process("model", "list", "--models", models);
        Assert.Contains($"{_hub.Model.Length:N0} bytes, verified at pull, sha256 {_hub.Sha256}", listed, StringComparison.Ordinal);
        Assert.Contains("not present", listed, StringComparison.Ordinal);  // the default Q8_0 model
    }

    [Fact]
    public void Pull_WithHttpProxyInTheEnvironment_GoesThroughTheProxy()
    {
        _hub.Server.Add("m.gguf", _hub.Model);
        var output = _hub.Temp.File("m.gguf");
        var proxy = new Dictionary<string, string> { ["HTTP_PROXY"] = _hub.Server.BaseAddress.ToString(), ["NO_PROXY"] = "" };

        var (code, _, error) = CliRunner.Process(["model", "pull", "http://models.invalid/files/m.gguf", "--sha256", _hub.Sha256, "-o", output], proxy);

        Assert.True(code == 0, error);
        Assert.Contains(_hub.Server.Requests, r => r.Host == "models.invalid");
        Assert.Equal(_hub.Model, File.ReadAllBytes(output));
    }

    [Fact]
    public void Pull_HostInNoProxy_BypassesTheProxy()
    {
        _hub.Server.Add("m.gguf", _hub.Model);
        var environment = new Dictionary<string, string> { ["HTTP_PROXY"] = "http://127.0.0.1:9", ["NO_PROXY"] = "127.0.0.1" };

        var (code, _, error) = CliRunner.Process(
            ["model", "pull", new Uri(_hub.Server.BaseAddress, "files/m.gguf").ToString(), "--sha256", _hub.Sha256, "-o", _hub.Temp.File("m.gguf")], environment);

        Assert.True(code == 0, error);
    }

    [Fact]
    public void Pull_WrongHash_ExitsNonZeroWithOneLineAndNothingLeft()
    {
        var url = _hub.Server.Add("m.gguf", _hub.Model);

        var (code, _, error) = CliRunner.Process("model", "pull", url.ToString(), "--sha256", new string('b', 64), "-o", _hub.Temp.File("m.gguf"));

        Assert.Equal(1, code);
        Assert.StartsWith("frugal: SHA-256 mismatch", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_hub.Temp.Path, "m.gguf*"));
    }

    [Fact]
    public void Pull_UrlWithoutSha256_RefusedBeforeAnyRequest()
    {
        var url = _hub.Server.Add("m.gguf", _hub.Model);

        var (code, _, error) = CliRunner.InProcess("model", "pull", url.ToString(), "-o", _hub.Temp.File("m.gguf"));

        Assert.Equal(1, code);
        Assert.Contains("--sha256 HEX", error, StringComparison.Ordinal);
        Assert.Empty(_hub.Server.Requests);
    }

    [Fact]
    public void Serve_NoModelAndTheDefaultMissing_SaysTheExactPullCommand()
    {
        var data = _hub.Temp.File("data");

        var (code, _, error) = CliRunner.Process("serve", "--data", data, "--port", "0");

        Assert.Equal(2, code);
        Assert.Contains($"frugal model pull tinyllama --models {Path.Combine(data, "models")}", error, StringComparison.Ordinal);
        Assert.Contains("--pull", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Synth_IntoAMissingDirectory_CreatesIt()
    {
        var path = _hub.Temp.File("models/sub/tiny.gguf");

        var (code, _, error) = CliRunner.InProcess("model", "synth", "--shape", "tiny", "-o", path);

        Assert.True(code == 0, error);
        Assert.True(File.Exists(path));
    }
}
