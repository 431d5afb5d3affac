namespace Frugal.Cli.Models;

/// <summary>A finished pull: the file in place, its verified SHA-256 and where the expected one came from.</summary>
internal sealed record PullResult(string Path, long Size, string Sha256, string HashSource, bool Resumed);
