using Frugal.Cli.Models;
using Frugal.Tests.Commands;

namespace Frugal.Tests.Models;

/// <summary><c>frugal model pull|list</c> and <c>serve</c>'s default model, run as the real executable against a local server.</summary>
public sealed class ModelPullCommandTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private ModelFileServer _server = null!;
    private byte[] _model = [];
    private string _sha256 = "";

    public async ValueTask InitializeAsync()
    {
        _server = await ModelFileServer.StartAsync();
        (_model, _sha256) = await TinyModelFile.WriteAsync(_temp);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Pull_CatalogueNameFromAMirror_VerifiedByTheDigestHeaderAndListed()
    {
        var entry = ModelCatalogue.Find("tinyllama:q4_k_m")!;
        _server.Add(entry.FileName, _model);
        _server.RedirectDigest = _sha256;
        var models = _temp.File("models");
        var mirror = new Dictionary<string, string> { [ModelCatalogue.MirrorVariable] = new Uri(_server.BaseAddress, "resolve/").ToString() };

        var (code, output, error) = CliRunner.Process(["model", "pull", "tinyllama:q4_k_m", "--models", models], mirror);

        Assert.True(code == 0, error);
        Assert.Contains($"sha256 {_sha256} (matches the server's content digest header)", output, StringComparison.Ordinal);
        Assert.Equal(_model, File.ReadAllBytes(Path.Combine(models, entry.FileName)));
        Assert.Contains(_server.Requests, r => r.Path == "/resolve/" + entry.FileName);
        var (_, listed, _) = CliRunner.Process("model", "list", "--models", models);
        Assert.Contains($"{_model.Length:N0} bytes, verified at pull, sha256 {_sha256}", listed, StringComparison.Ordinal);
        Assert.Contains("not present", listed, StringComparison.Ordinal);  // the default Q8_0 model
    }

    [Fact]
    public void Pull_WithHttpProxyInTheEnvironment_GoesThroughTheProxy()
    {
        _server.Add("m.gguf", _model);
        var output = _temp.File("m.gguf");
        var proxy = new Dictionary<string, string> { ["HTTP_PROXY"] = _server.BaseAddress.ToString(), ["NO_PROXY"] = "" };

        var (code, _, error) = CliRunner.Process(["model", "pull", "http://models.invalid/files/m.gguf", "--sha256", _sha256, "-o", output], proxy);

        Assert.True(code == 0, error);
        Assert.Contains(_server.Requests, r => r.Host == "models.invalid");
        Assert.Equal(_model, File.ReadAllBytes(output));
    }

    [Fact]
    public void Pull_HostInNoProxy_BypassesTheProxy()
    {
        _server.Add("m.gguf", _model);
        var environment = new Dictionary<string, string> { ["HTTP_PROXY"] = "http://127.0.0.1:9", ["NO_PROXY"] = "127.0.0.1" };

        var (code, _, error) = CliRunner.Process(
            ["model", "pull", new Uri(_server.BaseAddress, "files/m.gguf").ToString(), "--sha256", _sha256, "-o", _temp.File("m.gguf")], environment);

        Assert.True(code == 0, error);
    }

    [Fact]
    public void Pull_WrongHash_ExitsNonZeroWithOneLineAndNothingLeft()
    {
        var url = _server.Add("m.gguf", _model);

        var (code, _, error) = CliRunner.Process("model", "pull", url.ToString(), "--sha256", new string('b', 64), "-o", _temp.File("m.gguf"));

        Assert.Equal(1, code);
        Assert.StartsWith("frugal: SHA-256 mismatch", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path, "m.gguf*"));
    }

    [Fact]
    public void Pull_UrlWithoutSha256_RefusedBeforeAnyRequest()
    {
        var url = _server.Add("m.gguf", _model);

        var (code, _, error) = CliRunner.InProcess("model", "pull", url.ToString(), "-o", _temp.File("m.gguf"));

        Assert.Equal(1, code);
        Assert.Contains("--sha256 HEX", error, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void Serve_NoModelAndTheDefaultMissing_SaysTheExactPullCommand()
    {
        var data = _temp.File("data");

        var (code, _, error) = CliRunner.Process("serve", "--data", data, "--port", "0");

        Assert.Equal(2, code);
        Assert.Contains($"frugal model pull tinyllama --models {Path.Combine(data, "models")}", error, StringComparison.Ordinal);
        Assert.Contains("--pull", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Synth_IntoAMissingDirectory_CreatesIt()
    {
        var path = _temp.File("models/sub/tiny.gguf");

        var (code, _, error) = CliRunner.InProcess("model", "synth", "--shape", "tiny", "-o", path);

        Assert.True(code == 0, error);
        Assert.True(File.Exists(path));
    }
}
