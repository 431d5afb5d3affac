using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Frugal.Testing;

/// <summary>
/// Sends one HTTP/1.1 request byte for byte (no client normalizing its path, method or headers) and reads the
/// answer until the server closes: the status, the body (chunked bodies joined) and the OpenAI error code if any
/// (Anthropic's error type where the body is in Anthropic's error shape).
/// </summary>
public static partial class RawHttp
{
    public static async Task<(int Status, string Body, string? Code, string Head)> SendAsync(Uri server, byte[] request)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        var stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(request);
        }
        catch (IOException)
        {
            // A server that refuses a body by its length may answer and close before the rest is written (a broken
            // pipe here); its answer is still there to read.
        }

        using var response = new MemoryStream();
        try
        {
            await stream.CopyToAsync(response).WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (IOException)
        {
            // A server that resets after answering (a refused body) still sent its answer.
        }

        var text = Encoding.UTF8.GetString(response.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = split < 0 ? text : text[..split];
        var body = split < 0 ? "" : text[(split + 4)..];
        if (head.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }

        var status = int.Parse(head.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        var code = CodePattern().Match(body) is { Success: true } m ? m.Groups[1].Value
            : AnthropicTypePattern().Match(body) is { Success: true } a ? a.Groups[1].Value : null;
        return (status, body, code, head);
    }

    /// <summary>A request with Host 127.0.0.1, Connection: close, a Content-Length for <paramref name="body"/>, and <paramref name="headers"/> (one per line).</summary>
    public static byte[] Request(string method, string target, string? body = null, params string[] headers)
    {
        var builder = new StringBuilder();
        builder.Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
        if (!headers.Any(h => h.StartsWith("Host:", StringComparison.OrdinalIgnoreCase) || h == "NO-HOST"))
        {
            builder.Append("Host: 127.0.0.1\r\n");
        }

        foreach (var header in headers.Where(h => h != "NO-HOST"))
        {
            builder.Append(header).Append("\r\n");
        }

        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null)
        {
            builder.Append("Content-Type: application/json\r\n");
            builder.Append("Content-Length: ").Append(bytes.Length).Append("\r\n");
        }

        builder.Append("Connection: close\r\n\r\n");
        return [.. Encoding.UTF8.GetBytes(builder.ToString()), .. bytes];
    }

    private static string Unchunk(string body)
    {
        var result = new StringBuilder();
        var at = 0;
        while (at < body.Length)
        {
            var end = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (end < 0 || !int.TryParse(body.AsSpan(at, end - at), System.Globalization.NumberStyles.HexNumber, null, out var size) || size == 0)
            {
                break;
            }

            result.Append(body, end + 2, Math.Min(size, body.Length - end - 2));
            at = end + 2 + size + 2;
        }

        return result.ToString();
    }

    [GeneratedRegex("\"code\"\\s*:\\s*\"([^\"]*)\"")]
    private static partial Regex CodePattern();

    // Anthropic's error shape has no code: its error's type stands for one.
    [GeneratedRegex("\"error\":\\{\"type\":\"([^\"]*)\",\"message\"")]
    private static partial Regex AnthropicTypePattern();
}
