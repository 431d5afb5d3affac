namespace Frugal.Inference;

/// <summary>
/// The token ids the model generated for its recent replies, keyed by their owner (the user they were generated
/// for) and the reply's exact text, bounded in bytes (least recently used first out). Thread-safe.
/// </summary>
/// <remarks>
/// A reply's text usually tokenizes differently from the ids the model produced (always with random
/// weights, often with real ones). When the reply comes back as history in the next prompt, spelling it
/// with the generated ids keeps the KV state of the previous turn matching the new prompt, so only the new
/// user message is evaluated instead of the whole previous reply. The ids always decode to exactly the
/// key, so they are a valid spelling of that text whatever the conversation. They are only used for their owner's
/// prompts: another user's prompt spelt differently would tell them (by its token count) that this text was a reply here.
/// </remarks>
internal sealed class ReplyTokenMemory(long budgetBytes)
{
    /// <summary>Default budget: ample for hundreds of replies, negligible next to one KV state.</summary>
    public const long DefaultBudgetBytes = 2L * 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Owner, string Text), LinkedListNode<Entry>> _entries = [];
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

    /// <summary>Remembers that <paramref name="ids"/> decode to <paramref name="text"/> (the caller checked it), a reply for <paramref name="owner"/>.</summary>
    public void Remember(string? owner, string text, int[] ids)
    {
        var size = SizeOf(text, ids);
        if (text.Length == 0 || ids.Length == 0 || size > budgetBytes)
        {
            return;
        }

        lock (_lock)
        {
            var key = (owner ?? "", text);
            if (_entries.Remove(key, out var old))
            {
                _recency.Remove(old);
                _bytes -= old.Value.Bytes;
            }

            _entries[key] = _recency.AddFirst(new Entry(key, ids, size));
            _bytes += size;
            while (_bytes > budgetBytes && _recency.Last is { } last)
            {
                _recency.RemoveLast();
                _entries.Remove(last.Value.Key);
                _bytes -= last.Value.Bytes;
            }
        }
    }

    /// <summary>The generated ids of a reply for <paramref name="owner"/> whose text is exactly <paramref name="text"/>, if remembered.</summary>
    public int[]? Find(string? owner, string text)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue((owner ?? "", text), out var node))
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Ids;
        }
    }

    private static long SizeOf(string text, int[] ids) => 64 + (2L * text.Length) + (4L * ids.Length);

    private sealed record Entry((string Owner, string Text) Key, int[] Ids, long Bytes);
}
