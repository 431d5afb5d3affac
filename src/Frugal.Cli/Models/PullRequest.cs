namespace Frugal.Cli.Models;

/// <summary>What to download, where to, and what it must be.</summary>
/// <param name="Source">An http:// or https:// URL.</param>
/// <param name="Destination">The final file; a <c>.partial</c> file beside it holds the bytes while they arrive.</param>
/// <param name="Sha256">The expected SHA-256 (hex); null takes the server's content digest header, and refuses without one.</param>
/// <param name="Size">The expected size in bytes, when known.</param>
internal sealed record PullRequest(Uri Source, string Destination, string? Sha256, long? Size);
