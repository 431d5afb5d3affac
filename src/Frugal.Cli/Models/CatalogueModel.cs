namespace Frugal.Cli.Models;

/// <summary>One model <c>frugal model pull NAME</c> knows: where it comes from and what it must be.</summary>
/// <param name="Name">The name given to <c>pull</c> (<c>tinyllama</c>, <c>tinyllama:q4_k_m</c>).</param>
/// <param name="FileName">The file's name in the models directory (and under a mirror's base URL).</param>
/// <param name="Url">Where the publisher serves it.</param>
/// <param name="Size">Its exact size in bytes, when pinned.</param>
/// <param name="Sha256">Its SHA-256 (lower-case hex), when pinned; otherwise taken from the hub's content digest header at download time.</param>
/// <param name="Description">One line for <c>model list</c>.</param>
internal sealed record CatalogueModel(string Name, string FileName, Uri Url, long? Size, string? Sha256, string Description);
