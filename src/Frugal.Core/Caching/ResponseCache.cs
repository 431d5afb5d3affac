using Frugal.Memory;

namespace Frugal.Caching;

/// <summary>
/// Finished replies to deterministic requests, least recently used evicted first, bounded in bytes.
/// The memory governor empties it with <see cref="ReleaseMemory"/>. Thread-safe.
/// </summary>
public sealed class ResponseCache : IMemoryReleaser
{
    private readonly ByteBudgetLru<string, CachedResponse> _entries;

    /// <summary>Creates an empty cache.</summary>
    public ResponseCache(ResponseCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _entries = new(options.MaxBytes.Bytes);
    }

    /// <summary>The budget in bytes.</summary>
    public long MaxBytes => _entries.BudgetBytes;

    /// <summary>Bytes held now (never more than <see cref="MaxBytes"/>).</summary>
    public long MemoryBytes => _entries.Bytes;

    /// <summary>Replies held now.</summary>
    public int Count => _entries.Count;

    /// <summary>Finds the reply kept under <paramref name="key"/>, marking it recently used.</summary>
    public CachedResponse? TryGet(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _entries.TryGet(key, out var response) ? response : null;
    }

    /// <summary>Keeps <paramref name="response"/> under <paramref name="key"/>, evicting older replies to stay in budget.</summary>
    public void Put(string key, CachedResponse response)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(response);
        _entries.Put(key, response, (2L * key.Length) + response.Bytes);
    }

    /// <inheritdoc/>
    public string Name => "response-cache";

    /// <summary>Drops every reply (memory pressure); returns the bytes they held.</summary>
    public long ReleaseMemory() => _entries.Clear();

    /// <summary>For the memory governor: any pressure above <see cref="MemoryPressureLevel.Low"/> empties the cache.</summary>
    public long Release(MemoryPressureLevel level) => level > MemoryPressureLevel.Low ? ReleaseMemory() : 0;
}
