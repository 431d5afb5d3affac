using Microsoft.Extensions.Logging;

namespace Frugal.Server.Hosting;

/// <summary>The server's log lines. Never a key, never message text above Trace.</summary>
internal static partial class Log
{
    [LoggerMessage(4, LogLevel.Warning, "Refused Host header {HostHeader} on {Path}")]
    public static partial void HostRefused(ILogger logger, string hostHeader, string path);

    [LoggerMessage(5, LogLevel.Error, "Unhandled error on {Method} {Path}")]
    public static partial void UnhandledError(ILogger logger, string method, string path, Exception exception);

    [LoggerMessage(6, LogLevel.Information, "{Method} {Path} {StatusCode} in {ElapsedMs} ms user={User}")]
    public static partial void Request(ILogger logger, string method, string path, int statusCode, long elapsedMs, string user);

    [LoggerMessage(7, LogLevel.Information, "Listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);
}
