using System.Security.Cryptography;
using Frugal.Cli.Models;

namespace Frugal.Tests.Models;

/// <summary><see cref="ModelDownloader"/> against a real HTTP server on loopback that misbehaves on request.</summary>
public sealed class ModelDownloaderTests : IAsyncLifetime
{
    private readonly List<DownloadProgress> _events = [];
    private LocalModelHub _hub = null!;

    public async ValueTask InitializeAsync() => _hub = await LocalModelHub.StartAsync();

    public ValueTask DisposeAsync() => _hub.DisposeAsync();

    [Fact]
    public async Task Pull_HashMatches_FileInPlaceAndMarkedVerified()
    {
        var destination = _hub.Temp.File("models/m.gguf");

        var result = await PullAsync(new PullRequest(_hub.Server.Add("m.gguf", _hub.Model), destination, _hub.Sha256, _hub.Model.Length));

        Assert.Equal(_hub.Model, await File.ReadAllBytesAsync(destination, TestContext.Current.CancellationToken));
        Assert.Equal(_hub.Sha256, result.Sha256);
        Assert.Equal(_hub.Sha256, VerifiedMark.Read(destination));
        Assert.False(File.Exists(destination + ".partial"));
    }

    [Fact]
    public async Task Pull_WrongHash_LeavesNothing()
    {
        var destination = _hub.Temp.File("m.gguf");
        var wrong = new string('0', 64);

        var e = await Assert.ThrowsAsync<PullException>(() => PullAsync(new PullRequest(_hub.Server.Add("m.gguf", _hub.Model), destination, wrong, null)));

        Assert.Contains("SHA-256 mismatch", e.Message, StringComparison.Ordinal);
        Assert.Contains(_hub.Sha256, e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_hub.Temp.Path, "m.gguf*"));
    }

    [Fact]
    public async Task Pull_ConnectionCutOnce_ResumesWithRangeInTheSameRun()
    {
        var destination = _hub.Temp.File("m.gguf");
        var url = _hub.Server.Add("m.gguf", _hub.Model);
        _hub.Server.CutNext(1);

        var result = await PullAsync(new PullRequest(url, destination, _hub.Sha256, null), retries: 1);

        Assert.True(result.Resumed);
        Assert.Equal(_hub.Model, await File.ReadAllBytesAsync(destination, TestContext.Current.CancellationToken));
        Assert.Equal(["", $"bytes={_hub.Server.CutAfterBytes}-"], _hub.Server.Requests.Select(r => r.Range));
    }

    [Fact]
    public async Task Pull_ConnectionCutWithoutRetries_KeepsThePartialAndTheNextRunResumes()
    {
        var destination = _hub.Temp.File("m.gguf");
        var request = new PullRequest(_hub.Server.Add("m.gguf", _hub.Model), destination, _hub.Sha256, null);
        _hub.Server.CutNext(1);

        var e = await Assert.ThrowsAsync<PullException>(() => PullAsync(request, retries: 0));

        Assert.Contains("run the same command again to resume", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(destination));
        Assert.Equal(_hub.Server.CutAfterBytes, new FileInfo(destination + ".partial").Length);

        var result = await PullAsync(request, retries: 0);

        Assert.True(result.Resumed);
        Assert.Equal(_hub.Model, await File.ReadAllBytesAsync(destination, TestContext.Current.CancellationToken));
        Assert.Equal($"bytes={_hub.Server.CutAfterBytes}-", _hub.Server.Requests.Last().Range);
    }

    [Fact]
    public async Task Pull_ServerIgnoresRange_StartsAgainCleanly()
    {
        var destination = _hub.Temp.File("m.gguf");
        var request = new PullRequest(_hub.Server.Add("m.gguf", _hub.Model), destination, _hub.Sha256, null);
        _hub.Server.SupportsRange = false;
        _hub.Server.CutNext(1);
        await Assert.ThrowsAsync<PullException>(() => PullAsync(request, retries: 0));

        var result = await PullAsync(request, retries: 0);

        Assert.Equal(_hub.Model, await File.ReadAllBytesAsync(destination, TestContext.Current.CancellationToken));
        Assert.Equal(_hub.Sha256, result.Sha256);
        Assert.Contains(_events, p => p.Event?.Contains("ignored the Range request", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Pull_NotAGgufFile_DeletedWithAClearMessage()
    {
        var destination = _hub.Temp.File("m.gguf");
        var junk = new byte[100_000];
        Random.Shared.NextBytes(junk);
        var url = _hub.Server.Add("m.gguf", junk);

        var e = await Assert.ThrowsAsync<PullException>(() =>
            PullAsync(new PullRequest(url, destination, Convert.ToHexStringLower(SHA256.HashData(junk)), null)));

        Assert.Contains("not a valid GGUF model", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_hub.Temp.Path, "m.gguf*"));
    }

    [Fact]
    public async Task Pull_DigestOnTheRedirect_VerifiesAgainstIt()
    {
        _hub.Server.Add("m.gguf", _hub.Model);
        _hub.Server.RedirectDigest = _hub.Sha256;
        var url = new Uri(_hub.Server.BaseAddress, "resolve/m.gguf");

        var result = await PullAsync(new PullRequest(url, _hub.Temp.File("m.gguf"), null, _hub.Model.Length));

        Assert.Equal("the server's content digest header", result.HashSource);
        _hub.Server.RedirectDigest = new string('a', 64);
        var e = await Assert.ThrowsAsync<PullException>(() => PullAsync(new PullRequest(url, _hub.Temp.File("n.gguf"), null, null)));
        Assert.Contains("SHA-256 mismatch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_NoDigestAndNoHash_RefusesBeforeWriting()
    {
        var e = await Assert.ThrowsAsync<PullException>(() =>
            PullAsync(new PullRequest(_hub.Server.Add("m.gguf", _hub.Model), _hub.Temp.File("m.gguf"), null, null)));

        Assert.Contains("--sha256", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_hub.Temp.Path, "m.gguf*"));
    }

    [Fact]
    public async Task Pull_WrongAnnouncedSize_Refused()
    {
        var e = await Assert.ThrowsAsync<PullException>(() =>
            PullAsync(new PullRequest(_hub.Server.Add("m.gguf", _hub.Model), _hub.Temp.File("m.gguf"), _hub.Sha256, _hub.Model.Length + 1L)));

        Assert.Contains("not the expected file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_NotEnoughFreeSpace_RefusedBeforeWriting()
    {
        var request = new PullRequest(_hub.Server.Add("m.gguf", _hub.Model), _hub.Temp.File("m.gguf"), _hub.Sha256, null);

        var e = await Assert.ThrowsAsync<PullException>(() => PullAsync(request, freeBytes: 1000));

        Assert.Contains("not enough free space", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_hub.Temp.Path, "m.gguf*"));
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
