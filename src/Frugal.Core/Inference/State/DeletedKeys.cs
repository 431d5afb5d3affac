namespace Frugal.Inference.State;

/// <summary>
/// The hashes of the most recently deleted sessions' keys, oldest forgotten first past
/// <see cref="Capacity"/>. Session ids are never reused, so a remembered deletion only has to outlive
/// the engine's next session switch, when the deleted session's cells would otherwise be written back.
/// Not thread-safe: the store calls it under its lock.
/// </summary>
internal sealed class DeletedKeys
{
    /// <summary>How many deletions are remembered (≈100 bytes each).</summary>
    public const int Capacity = 16_384;

    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public void Add(string keyHash)
    {
        if (!_keys.Add(keyHash))
        {
            return;
        }

        _order.Enqueue(keyHash);
        if (_order.Count > Capacity)
        {
            _keys.Remove(_order.Dequeue());
        }
    }

    public bool Contains(string keyHash) => _keys.Contains(keyHash);
}
