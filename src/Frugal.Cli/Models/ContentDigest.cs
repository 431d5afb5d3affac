using System.Net.Http.Headers;

namespace Frugal.Cli.Models;

/// <summary>
/// Reads a file's SHA-256 from the response headers a server sends with it: the hub's <c>X-Linked-Etag</c>
/// (the LFS object id, a SHA-256, on the redirect to the file), <c>Repr-Digest: sha-256=:BASE64:</c> or
/// <c>Digest: SHA-256=BASE64</c>.
/// </summary>
internal static class ContentDigest
{
    /// <summary>The SHA-256 in lower-case hex, or null when the headers carry none.</summary>
    public static string? Sha256From(HttpResponseHeaders headers, HttpContentHeaders? content)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (headers.TryGetValues("X-Linked-Etag", out var linked) && Hex(linked.First().Trim().Trim('"')) is { } etag)
        {
            return etag;
        }

        foreach (var name in new[] { "Repr-Digest", "Digest" })
        {
            if ((headers.TryGetValues(name, out var values) || (content?.TryGetValues(name, out values) ?? false))
                && values.SelectMany(v => v.Split(',')).Select(FromDigestItem).FirstOrDefault(d => d is not null) is { } digest)
            {
                return digest;
            }
        }

        return null;
    }

    /// <summary>Lower-case hex of a 64-digit SHA-256, or null when <paramref name="text"/> is not one.</summary>
    public static string? Hex(string? text) =>
        text is { Length: 64 } && text.All(Uri.IsHexDigit) ? text.ToLowerInvariant() : null;

    private static string? FromDigestItem(string item)
    {
        var parts = item.Trim().Split('=', 2);
        if (parts.Length != 2 || !string.Equals(parts[0].Trim(), "sha-256", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var encoded = parts[1].Trim().Trim(':');
        var bytes = new byte[32];
        return Convert.TryFromBase64String(encoded, bytes, out var written) && written == 32
            ? Convert.ToHexStringLower(bytes)
            : null;
    }
}
