namespace Frugal.Cli.Models;

/// <summary>How far a download is: bytes on disk (resumed ones included), the total when known, and what happened.</summary>
internal readonly record struct DownloadProgress(long Bytes, long? Total, string? Event = null);
