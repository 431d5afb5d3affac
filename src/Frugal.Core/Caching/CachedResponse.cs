using Frugal.Inference;

namespace Frugal.Caching;

/// <summary>A finished reply kept for replay: the streamed pieces in order and the final figures.</summary>
/// <param name="Pieces">The text of each update, so a replay streams like the original.</param>
/// <param name="Stats">The figures of the original generation.</param>
public sealed record CachedResponse(IReadOnlyList<string> Pieces, GenerationStats Stats)
{
    // Per piece: the string's header and the list slot; per reply: the record, the stats and the key.
    private const int PieceOverheadBytes = 32;
    private const int ReplyOverheadBytes = 256;

    /// <summary>An estimate of the managed memory the reply holds, counted against the cache's budget.</summary>
    public long Bytes { get; } = ReplyOverheadBytes + Pieces.Sum(p => PieceOverheadBytes + (2L * p.Length));
}
