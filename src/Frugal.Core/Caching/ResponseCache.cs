using Frugal.Memory;

namespace Frugal.Caching;

/// <summary>
/// Finished replies to deterministic requests, least recently used evicted first, bounded in bytes.
/// The memory governor empties it with <see cref="ReleaseMemory"/>. Thread-safe.
/// </summary>
public sealed class ResponseCache : IMemoryReleaser
{
    private readonly Lock _gate = new();
    private readonly LinkedList<(string Key, CachedResponse Response)> _order = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, CachedResponse Response)>> _entries = new(StringComparer.Ordinal);
    private long _bytes;

    /// <summary>Creates an empty cache.</summary>
    public ResponseCache(ResponseCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        MaxBytes = options.MaxBytes.Bytes;
    }

    /// <summary>The budget in bytes.</summary>
    public long MaxBytes { get; }

    /// <summary>Bytes held now (never more than <see cref="MaxBytes"/>).</summary>
    public long MemoryBytes
    {
        get { lock (_gate) { return _bytes; } }
    }

    /// <summary>Replies held now.</summary>
    public int Count
    {
        get { lock (_gate) { return _entries.Count; } }
    }

    /// <summary>Finds the reply kept under <paramref name="key"/>, marking it recently used.</summary>
    public CachedResponse? TryGet(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return null;
            }

            _order.Remove(node);
            _order.AddFirst(node);
            return node.Value.Response;
        }
    }

    /// <summary>Keeps <paramref name="response"/> under <paramref name="key"/>, evicting older replies to stay in budget.</summary>
    public void Put(string key, CachedResponse response)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(response);
        var bytes = Size(key, response);
        lock (_gate)
        {
            Remove(key);
            if (bytes > MaxBytes)
            {
                return;
            }

            while (_bytes + bytes > MaxBytes)
            {
                Remove(_order.Last!.Value.Key);
            }

            _entries[key] = _order.AddFirst((key, response));
            _bytes += bytes;
        }
    }

    /// <inheritdoc/>
    public string Name => "response-cache";

    /// <summary>Drops every reply (memory pressure); returns the bytes they held.</summary>
    public long ReleaseMemory()
    {
        lock (_gate)
        {
            var released = _bytes;
            _entries.Clear();
            _order.Clear();
            _bytes = 0;
            return released;
        }
    }

    /// <summary>For the memory governor: any pressure above <see cref="MemoryPressureLevel.Low"/> empties the cache.</summary>
    public long Release(MemoryPressureLevel level) => level > MemoryPressureLevel.Low ? ReleaseMemory() : 0;

    private static long Size(string key, CachedResponse response) => (2L * key.Length) + response.Bytes;

    private void Remove(string key)
    {
        if (_entries.Remove(key, out var node))
        {
            _order.Remove(node);
            _bytes -= Size(key, node.Value.Response);
        }
    }
}
