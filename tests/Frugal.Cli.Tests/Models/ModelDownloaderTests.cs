using System.Security.Cryptography;
using Frugal.Cli.Models;

namespace Frugal.Tests.Models;

/// <summary><see cref="ModelDownloader"/> against a real HTTP server on loopback that misbehaves on request.</summary>
public sealed class ModelDownloaderTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly List<DownloadProgress> _events = [];
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
    public async Task Pull_HashMatches_FileInPlaceAndMarkedVerified()
    {
        var destination = _temp.File("models/m.gguf");

        var result = await PullAsync(new PullRequest(_server.Add("m.gguf", _model), destination, _sha256, _model.Length));

        Assert.Equal(_model, await File.ReadAllBytesAsync(destination, TestContext.Current.CancellationToken));
        Assert.Equal(_sha256, result.Sha256);
        Assert.Equal(_sha256, VerifiedMark.Read(destination));
        Assert.False(File.Exists(destination + ".partial"));
    }

    [Fact]
    public async Task Pull_WrongHash_LeavesNothing()
    {
        var destination = _temp.File("m.gguf");
        var wrong = new string('0', 64);

        var e = await Assert.ThrowsAsync<PullException>(() => PullAsync(new PullRequest(_server.Add("m.gguf", _model), destination, wrong, null)));

        Assert.Contains("SHA-256 mismatch", e.Message, StringComparison.Ordinal);
        Assert.Contains(_sha256, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path, "m.gguf*"));
    }

    [Fact]
    public async Task Pull_ConnectionCutOnce_ResumesWithRangeInTheSameRun()
    {
        var destination = _temp.File("m.gguf");
        var url = _server.Add("m.gguf", _model);
        _server.CutNext(1);

        var result = await PullAsync(new PullRequest(url, destination, _sha256, null), retries: 1);

        Assert.True(result.Resumed);
        Assert.Equal(_model, await File.ReadAllBytesAsync(destination, TestContext.Current.CancellationToken));
        Assert.Equal(["", $"bytes={_server.CutAfterBytes}-"], _server.Requests.Select(r => r.Range));
    }

    [Fact]
    public async Task Pull_ConnectionCutWithoutRetries_KeepsThePartialAndTheNextRunResumes()
    {
        var destination = _temp.File("m.gguf");
        var request = new PullRequest(_server.Add("m.gguf", _model), destination, _sha256, null);
        _server.CutNext(1);

        var e = await Assert.ThrowsAsync<PullException>(() => PullAsync(request, retries: 0));

        Assert.Contains("run the same command again to resume", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(destination));
        Assert.Equal(_server.CutAfterBytes, new FileInfo(destination + ".partial").Length);

        var result = await PullAsync(request, retries: 0);

        Assert.True(result.Resumed);
        Assert.Equal(_model, await File.ReadAllBytesAsync(destination, TestContext.Current.CancellationToken));
        Assert.Equal($"bytes={_server.CutAfterBytes}-", _server.Requests.Last().Range);
    }

    [Fact]
    public async Task Pull_ServerIgnoresRange_StartsAgainCleanly()
    {
        var destination = _temp.File("m.gguf");
        var request = new PullRequest(_server.Add("m.gguf", _model), destination, _sha256, null);
        _server.SupportsRange = false;
        _server.CutNext(1);
        await Assert.ThrowsAsync<PullException>(() => PullAsync(request, retries: 0));

        var result = await PullAsync(request, retries: 0);

        Assert.Equal(_model, await File.ReadAllBytesAsync(destination, TestContext.Current.CancellationToken));
        Assert.Equal(_sha256, result.Sha256);
        Assert.Contains(_events, p => p.Event?.Contains("ignored the Range request", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Pull_NotAGgufFile_DeletedWithAClearMessage()
    {
        var destination = _temp.File("m.gguf");
        var junk = new byte[100_000];
        Random.Shared.NextBytes(junk);
        var url = _server.Add("m.gguf", junk);

        var e = await Assert.ThrowsAsync<PullException>(() =>
            PullAsync(new PullRequest(url, destination, Convert.ToHexStringLower(SHA256.HashData(junk)), null)));

        Assert.Contains("not a valid GGUF model", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path, "m.gguf*"));
    }

    [Fact]
    public async Task Pull_DigestOnTheRedirect_VerifiesAgainstIt()
    {
        _server.Add("m.gguf", _model);
        _server.RedirectDigest = _sha256;
        var url = new Uri(_server.BaseAddress, "resolve/m.gguf");

        var result = await PullAsync(new PullRequest(url, _temp.File("m.gguf"), null, _model.Length));

        Assert.Equal("the server's content digest header", result.HashSource);
        _server.RedirectDigest = new string('a', 64);
        var e = await Assert.ThrowsAsync<PullException>(() => PullAsync(new PullRequest(url, _temp.File("n.gguf"), null, null)));
        Assert.Contains("SHA-256 mismatch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_NoDigestAndNoHash_RefusesBeforeWriting()
    {
        var e = await Assert.ThrowsAsync<PullException>(() =>
            PullAsync(new PullRequest(_server.Add("m.gguf", _model), _temp.File("m.gguf"), null, null)));

        Assert.Contains("--sha256", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path, "m.gguf*"));
    }

    [Fact]
    public async Task Pull_WrongAnnouncedSize_Refused()
    {
        var e = await Assert.ThrowsAsync<PullException>(() =>
            PullAsync(new PullRequest(_server.Add("m.gguf", _model), _temp.File("m.gguf"), _sha256, _model.Length + 1L)));

        Assert.Contains("not the expected file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_NotEnoughFreeSpace_RefusedBeforeWriting()
    {
        var request = new PullRequest(_server.Add("m.gguf", _model), _temp.File("m.gguf"), _sha256, null);

        var e = await Assert.ThrowsAsync<PullException>(() => PullAsync(request, freeBytes: 1000));

        Assert.Contains("not enough free space", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path, "m.gguf*"));
    }

    private async Task<PullResult> PullAsync(PullRequest request, int retries = 0, long? freeBytes = null)
    {
        using var http = ModelDownloader.CreateHttpClient();
        var downloader = new ModelDownloader(http, new ModelDownloaderOptions
        {
            Retries = retries,
            RetryDelay = TimeSpan.Zero,
            FreeBytes = freeBytes is { } free ? _ => free : new ModelDownloaderOptions().FreeBytes,
        });
        return await downloader.PullAsync(request, new SyncProgress(_events), CancellationToken.None);
    }

    private sealed class SyncProgress(List<DownloadProgress> events) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => events.Add(value);
    }
}
