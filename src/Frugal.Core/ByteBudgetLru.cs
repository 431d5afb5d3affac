using System.Diagnostics.CodeAnalysis;

namespace Frugal;

/// <summary>
/// Values under keys (compared by their default equality: ordinal for strings), bounded in bytes, least recently
/// used evicted first. Thread-safe. The one
/// such store of Core: the response cache and the memory of generated reply tokens both keep theirs in one.
/// </summary>
/// <param name="budgetBytes">The most bytes held at once (as the caller sizes its entries).</param>
internal sealed class ByteBudgetLru<TKey, TValue>(long budgetBytes)
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private long _bytes;

    /// <summary>The budget in bytes.</summary>
    public long BudgetBytes => budgetBytes;

    /// <summary>Bytes held now (never more than <see cref="BudgetBytes"/>).</summary>
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

    /// <summary>Entries held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Finds the value kept under <paramref name="key"/>, marking it the most recently used.</summary>
    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                value = default;
                return false;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            value = node.Value.Value;
            return true;
        }
    }

    /// <summary>
    /// Keeps <paramref name="value"/> (<paramref name="bytes"/> long) under <paramref name="key"/> in place of what
    /// was there, evicting the least recently used entries to stay in budget; a value larger than the whole budget
    /// is not kept (and what was under its key is gone).
    /// </summary>
    public void Put(TKey key, TValue value, long bytes)
    {
        lock (_lock)
        {
            Remove(key);
            if (bytes > budgetBytes)
            {
                return;
            }

            while (_bytes + bytes > budgetBytes && _recency.Last is { } last)
            {
                Remove(last.Value.Key);
            }

            _entries[key] = _recency.AddFirst(new Entry(key, value, bytes));
            _bytes += bytes;
        }
    }

    /// <summary>Drops every entry; returns the bytes they held.</summary>
    public long Clear()
    {
        lock (_lock)
        {
            var released = _bytes;
            _entries.Clear();
            _recency.Clear();
            _bytes = 0;
            return released;
        }
    }

    private void Remove(TKey key)
    {
        if (_entries.Remove(key, out var node))
        {
            _recency.Remove(node);
            _bytes -= node.Value.Bytes;
        }
    }

    private sealed record Entry(TKey Key, TValue Value, long Bytes);
}
