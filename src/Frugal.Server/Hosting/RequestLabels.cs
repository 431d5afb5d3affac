using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Hosting;

/// <summary>
/// Turns what a client sent into bounded text for metrics and logs: an invented HTTP method must not
/// become a new metric series (each one lives until the process ends), and a long or strange path
/// must not fill or forge log lines.
/// </summary>
internal static class RequestLabels
{
    /// <summary>The method label of any method outside the standard set (OpenTelemetry's convention).</summary>
    public const string OtherMethod = "_OTHER";

    /// <summary>The most characters of a path or method a log line carries.</summary>
    public const int MaxLoggedLength = 200;

    private static readonly string[] KnownMethods =
    [
        HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Patch,
        HttpMethods.Head, HttpMethods.Options, HttpMethods.Trace, HttpMethods.Connect,
    ];

    /// <summary>One of the nine standard methods (upper case, as registered), or <see cref="OtherMethod"/>.</summary>
    public static string Method(string method)
    {
        foreach (var known in KnownMethods)
        {
            if (string.Equals(known, method, StringComparison.Ordinal))
            {
                return known;
            }
        }

        return OtherMethod;
    }

    /// <summary>
    /// Text for a log line: control and format characters (line breaks, escape sequences, bidi overrides)
    /// written as <c>\uXXXX</c>, cut at <see cref="MaxLoggedLength"/> characters.
    /// </summary>
    public static string ForLog(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var cut = text.Length > MaxLoggedLength;
        var span = cut ? text.AsSpan(0, MaxLoggedLength) : text.AsSpan();
        var builder = new System.Text.StringBuilder(span.Length + 8);
        foreach (var c in span)
        {
            if (char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format
                or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator)
            {
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return cut ? builder.Append("…(").Append(text.Length).Append(" chars)").ToString() : builder.ToString();
    }
}
