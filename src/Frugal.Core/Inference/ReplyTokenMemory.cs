namespace Frugal.Inference;

/// <summary>
/// The token ids the model generated for its recent replies, keyed by the reply's exact text, bounded in
/// bytes (least recently used first out). Thread-safe.
/// </summary>
/// <remarks>
/// A reply's text usually tokenizes differently from the ids the model produced (always with random
/// weights, often with real ones). When the reply comes back as history in the next prompt, spelling it
/// with the generated ids keeps the KV state of the previous turn matching the new prompt, so only the new
/// user message is evaluated instead of the whole previous reply. The ids always decode to exactly the
/// key, so they are a valid spelling of that text whatever the conversation.
/// </remarks>
internal sealed class ReplyTokenMemory(long budgetBytes)
{
    /// <summary>Default budget: ample for hundreds of replies, negligible next to one KV state.</summary>
    public const long DefaultBudgetBytes = 2L * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();
    private long _bytes;

    /// <summary>Bytes held now (text as UTF-16 plus ids).</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Remembers that <paramref name="ids"/> decode to <paramref name="text"/> (the caller checked it).</summary>
    public void Remember(string text, int[] ids)
    {
        var size = SizeOf(text, ids);
        if (text.Length == 0 || ids.Length == 0 || size > budgetBytes)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.Remove(text, out var old))
            {
                _recency.Remove(old);
                _bytes -= old.Value.Bytes;
            }

            _entries[text] = _recency.AddFirst(new Entry(text, ids, size));
            _bytes += size;
            while (_bytes > budgetBytes && _recency.Last is { } last)
            {
                _recency.RemoveLast();
                _entries.Remove(last.Value.Text);
                _bytes -= last.Value.Bytes;
            }
        }
    }

    /// <summary>The generated ids of a reply whose text is exactly <paramref name="text"/>, if remembered.</summary>
    public int[]? Find(string text)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(text, out var node))
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Ids;
        }
    }

    private static long SizeOf(string text, int[] ids) => 64 + (2L * text.Length) + (4L * ids.Length);

    private sealed record Entry(string Text, int[] Ids, long Bytes);
}
