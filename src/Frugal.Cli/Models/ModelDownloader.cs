using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Frugal.Models;

namespace Frugal.Cli.Models;

/// <summary>
/// Downloads a model file safely: into <c>DEST.partial</c>, resuming it with a Range request after a lost
/// connection (in this run, or the next one), checking free space first, hashing while it streams, then
/// validating it with our GGUF reader and renaming it into place. A wrong hash or an invalid file leaves
/// nothing behind.
/// </summary>
internal sealed class ModelDownloader(HttpClient http, ModelDownloaderOptions? options = null)
{
    private const int MaxRedirects = 8;
    private readonly ModelDownloaderOptions _options = options ?? new ModelDownloaderOptions();

    /// <summary>An HTTP client for downloads: follows no redirect itself (the digest header is on the redirect), honours HTTPS_PROXY/NO_PROXY.</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseProxy = true,  // HttpClient.DefaultProxy: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY from the environment
        ConnectTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = DecompressionMethods.None,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    public async Task<PullResult> PullAsync(PullRequest request, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Source.Scheme is not ("http" or "https"))
        {
            throw new PullException($"{request.Source}: only http:// and https:// URLs can be pulled.");
        }

        var destination = Path.GetFullPath(request.Destination);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var partial = destination + ".partial";
        var resumed = File.Exists(partial) && new FileInfo(partial).Length > 0;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var (sha256, source) = await DownloadAsync(request, partial, progress, cancellationToken).ConfigureAwait(false);
                var size = new FileInfo(partial).Length;
                Validate(partial);
                File.Move(partial, destination, overwrite: true);
                PageCache.Drop(destination); // on disk already: the first load reads it back in large pages
                await VerifiedMark.WriteAsync(destination, sha256, cancellationToken).ConfigureAwait(false);
                return new PullResult(destination, size, sha256, source, resumed);
            }
            catch (ConnectionLostException e) when (attempt < _options.Retries)
            {
                resumed = true;
                progress?.Report(new DownloadProgress(Length(partial), null, $"{e.Message}; resuming from byte {Length(partial):N0}"));
                await Task.Delay(_options.RetryDelay * (attempt + 1), cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectionLostException e)
            {
                throw new PullException(
                    $"{e.Message}. {Length(partial):N0} bytes are kept in {partial}: run the same command again to resume from there.", e);
            }
        }
    }

    // One request: resumes from what the partial file holds when the server honours Range, else starts it again.
    private async Task<(string Sha256, string Source)> DownloadAsync(
        PullRequest request, string partial, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var offset = Length(partial);
        if (request.Size is { } size && offset > size)
        {
            offset = Restart(partial, progress, "the partial file is larger than the model");
        }

        var (response, digest) = await SendAsync(request.Source, offset, cancellationToken).ConfigureAwait(false);
        if (offset > 0 && !Resumes(response, offset))
        {
            var reason = response.StatusCode == HttpStatusCode.OK
                ? "the server ignored the Range request"
                : $"the server could not resume at byte {offset:N0} ({(int)response.StatusCode})";
            if (response.StatusCode != HttpStatusCode.OK)
            {
                response.Dispose();
                (response, digest) = await SendAsync(request.Source, 0, cancellationToken).ConfigureAwait(false);
            }

            offset = Restart(partial, progress, reason);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new PullException($"{request.Source} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            var total = response.Content.Headers.ContentRange?.Length ?? (offset + response.Content.Headers.ContentLength);
            var (expected, source) = Expected(request, digest);
            CheckSize(request, total, partial, offset);
            progress?.Report(new DownloadProgress(offset, total ?? request.Size, offset > 0 ? $"resuming at byte {offset:N0}" : null));
            var actual = await WriteBodyAsync(response, partial, offset, total ?? request.Size, progress, cancellationToken).ConfigureAwait(false);
            var length = Length(partial);
            if ((total ?? request.Size) is { } wanted && length < wanted)
            {
                throw new ConnectionLostException($"the download ended at byte {length:N0} of {wanted:N0}");
            }

            if (request.Size is { } pinned && length != pinned)
            {
                Discard(partial);
                throw new PullException($"{request.Source} sent {length:N0} bytes, but the model is {pinned:N0} bytes; the file was deleted.");
            }

            if (!string.Equals(actual, expected, StringComparison.Ordinal))
            {
                Discard(partial);
                throw new PullException($"SHA-256 mismatch for {request.Source}: got {actual}, expected {expected} ({source}); the file was deleted.");
            }

            return (actual, source);
        }
    }

    private static bool Resumes(HttpResponseMessage response, long offset) =>
        response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == offset;

    private static (string Sha256, string Source) Expected(PullRequest request, string? digest)
    {
        if (request.Sha256 is not null)
        {
            return (ContentDigest.Hex(request.Sha256) ?? throw new PullException($"--sha256 '{request.Sha256}' is not 64 hex digits."), "given");
        }

        return digest is not null
            ? (digest, "the server's content digest header")
            : throw new PullException($"{request.Source} sends no SHA-256 digest for the file, so it cannot be verified; give the expected one with --sha256 HEX.");
    }

    private void CheckSize(PullRequest request, long? total, string partial, long offset)
    {
        if (request.Size is { } pinned && total is { } announced && announced != pinned)
        {
            throw new PullException($"{request.Source} announces {announced:N0} bytes, but the model is {pinned:N0} bytes: not the expected file.");
        }

        var directory = Path.GetDirectoryName(partial)!;
        var needed = (total ?? request.Size ?? 0) - offset;
        var free = _options.FreeBytes(directory);
        if (needed > free)
        {
            throw new PullException(string.Create(CultureInfo.InvariantCulture,
                $"not enough free space in {directory}: the download needs {needed:N0} more bytes, {free:N0} are free."));
        }
    }

    private async Task<string> WriteBodyAsync(
        HttpResponseMessage response, string partial, long offset, long? total, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var file = new FileStream(partial, offset > 0 ? FileMode.Open : FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 20];
            for (long done = 0; done < offset;)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, offset - done)), cancellationToken).ConfigureAwait(false);
                hash.AppendData(buffer, 0, read);
                done += read;
            }

            file.SetLength(offset);
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                for (var position = offset; ;)
                {
                    var read = await ReadAsync(body, buffer, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    position += read;
                    progress?.Report(new DownloadProgress(position, total));
                }
            }

            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // A read that fails or stalls is a lost connection (resumable), not a failed pull.
    private async Task<int> ReadAsync(Stream body, byte[] buffer, CancellationToken cancellationToken)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(_options.StallTimeout);
        try
        {
            return await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ConnectionLostException($"no data for {_options.StallTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new ConnectionLostException($"the connection was lost ({e.Message})");
        }
    }

    private async Task<(HttpResponseMessage Response, string? Digest)> SendAsync(Uri source, long offset, CancellationToken cancellationToken)
    {
        var current = source;
        string? digest = null;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, current);
            if (offset > 0)
            {
                message.Headers.Range = new RangeHeaderValue(offset, null);
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new ConnectionLostException($"cannot reach {current.Host}: {e.Message}");
            }

            digest ??= ContentDigest.Sha256From(response.Headers, response.Content.Headers);
            if ((int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                response.Dispose();
                var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (current.Scheme == Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttps)
                {
                    throw new PullException($"{current} redirects to {next}: refusing to leave https.");
                }

                current = next;
                continue;
            }

            return (response, digest);
        }

        throw new PullException($"{source}: more than {MaxRedirects} redirects.");
    }

    private static void Validate(string partial)
    {
        try
        {
            ModelInfoReader.Read(partial);
        }
        catch (ModelFileException e)
        {
            Discard(partial);
            throw new PullException($"the downloaded file is not a valid GGUF model ({e.Message}); it was deleted.", e);
        }
    }

    private static long Restart(string partial, IProgress<DownloadProgress>? progress, string reason)
    {
        progress?.Report(new DownloadProgress(0, null, $"{reason}; starting again from the beginning"));
        Discard(partial);
        return 0;
    }

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static void Discard(string path) => File.Delete(path);

    private sealed class ConnectionLostException(string message) : Exception(message);
}
