namespace Frugal.Inference.Batching;

/// <summary>A slot's tokens and the position range of its KV cells, as read while the loop was idle.</summary>
/// <param name="Tokens">What the slot's cells hold, in position order.</param>
/// <param name="MinPosition">The lowest position among its cells (-1: none).</param>
/// <param name="MaxPosition">The highest position among its cells (-1: none).</param>
internal sealed record SlotView(IReadOnlyList<int> Tokens, int MinPosition, int MaxPosition);
