using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Frugal.Inference.State;

/// <summary>
/// Keeps idle sessions' KV states in two least-recently-used tiers, each bounded in bytes: RAM first,
/// spilling to files under <c>{data}/kv/{model}/</c>. Files are named by a hash of the session key
/// (never by the key itself) and are verified by checksum, so they survive a restart of the same
/// model and are discarded for any other. Thread-safe.
/// </summary>
public sealed partial class TieredSessionStateStore : ISessionStateStore
{
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private readonly long _memoryBudget;
    private readonly long _diskBudget;
    private readonly byte[] _identityHash;
    private readonly LinkedList<MemoryEntry> _memoryOrder = new();
    private readonly Dictionary<string, LinkedListNode<MemoryEntry>> _memory = new(StringComparer.Ordinal);
    private readonly DeletedKeys _deleted = new();
    private long _memoryBytes;

    /// <summary>Opens the store: creates its directory, and re-indexes the states a previous run left there.</summary>
    /// <exception cref="OptionsValidationException">The options are not valid.</exception>
    public TieredSessionStateStore(TieredSessionStateStoreOptions options, ILogger<TieredSessionStateStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        OptionsCheck.Valid(new TieredSessionStateStoreOptionsValidator(), options);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _memoryBudget = options.MemoryBudget.Bytes;
        _diskBudget = options.DiskBudget.Bytes;
        _identityHash = SHA256.HashData(Encoding.UTF8.GetBytes(options.ModelIdentity));
        RootDirectory = Path.Combine(Path.GetFullPath(options.DataDirectory), "kv");
        Directory = Path.Combine(RootDirectory, Convert.ToHexStringLower(_identityHash.AsSpan(0, 16)));
        OpenDisk();
    }

    /// <summary>The directory that holds this model's state files.</summary>
    public string Directory { get; }

    /// <inheritdoc/>
    public long MemoryBytes
    {
        get { lock (_gate) { return _memoryBytes; } }
    }

    /// <inheritdoc/>
    public long DiskBytes
    {
        get { lock (_gate) { return _diskBytes; } }
    }

    /// <summary>States held in RAM.</summary>
    public int MemoryCount
    {
        get { lock (_gate) { return _memory.Count; } }
    }

    /// <summary>States held on disk.</summary>
    public int DiskCount
    {
        get { lock (_gate) { return _disk.Count; } }
    }

    private string RootDirectory { get; }

    /// <inheritdoc/>
    public void Put(string key, IReadOnlyList<int> tokens, ReadOnlyMemory<byte> state)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(tokens);
        var keyHash = HashKey(key);
        int[] tokenArray = [.. tokens];
        lock (_gate)
        {
            RemoveFromMemory(keyHash);
            RemoveFromDisk(keyHash);
            if (_deleted.Contains(keyHash))
            {
                return;
            }

            if (state.Length + (4L * tokenArray.Length) > _memoryBudget)
            {
                // Too big for the RAM tier as configured (or no RAM tier): straight to disk from the
                // caller's buffer, with no managed copy (or nowhere).
                Spill(keyHash, tokenArray, state.Span);
                return;
            }

            var entry = new MemoryEntry(keyHash, tokenArray, state.ToArray());

            _memory[keyHash] = _memoryOrder.AddFirst(entry);
            _memoryBytes += entry.Bytes;
            while (_memoryBytes > _memoryBudget)
            {
                var oldest = _memoryOrder.Last!.Value;
                RemoveFromMemory(oldest.KeyHash);
                Spill(oldest.KeyHash, oldest.Tokens, oldest.State);
            }
        }
    }

    /// <inheritdoc/>
    public bool Append(string key, int keptTokens, IReadOnlyList<int> tokens, ReadOnlyMemory<byte> state)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(tokens);
        var keyHash = HashKey(key);
        int[] tokenArray = [.. tokens];
        lock (_gate)
        {
            // Only a file is extended: a state in the RAM tier is put again whole.
            return !_memory.ContainsKey(keyHash) && !_deleted.Contains(keyHash) && AppendToDisk(keyHash, keptTokens, tokenArray, state.Span);
        }
    }

    /// <inheritdoc/>
    public SavedSessionState? TryGet(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keyHash = HashKey(key);
        lock (_gate)
        {
            if (_memory.TryGetValue(keyHash, out var node))
            {
                _memoryOrder.Remove(node);
                _memoryOrder.AddFirst(node);
                return new SavedSessionState(node.Value.Tokens, node.Value.State);
            }

            return ReadFromDisk(keyHash);
        }
    }

    /// <inheritdoc/>
    public void Invalidate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keyHash = HashKey(key);
        lock (_gate)
        {
            RemoveFromMemory(keyHash);
            RemoveFromDisk(keyHash);
        }
    }

    /// <inheritdoc/>
    public void Delete(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keyHash = HashKey(key);
        lock (_gate)
        {
            _deleted.Add(keyHash);
            RemoveFromMemory(keyHash);
            RemoveFromDisk(keyHash);
        }
    }

    /// <inheritdoc/>
    public bool IsDeleted(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keyHash = HashKey(key);
        lock (_gate)
        {
            return _deleted.Contains(keyHash);
        }
    }

    /// <summary>
    /// Frees the RAM tier (memory pressure). States move to disk when the disk budget allows, oldest
    /// first so the most recent stay the freshest there; the rest are dropped.
    /// </summary>
    public void ReleaseMemory()
    {
        lock (_gate)
        {
            var released = _memoryBytes;
            while (_memoryOrder.Last is { } node)
            {
                RemoveFromMemory(node.Value.KeyHash);
                Spill(node.Value.KeyHash, node.Value.Tokens, node.Value.State);
            }

            Log.MemoryReleased(_logger, released);
        }
    }

    private static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private void RemoveFromMemory(string keyHash)
    {
        if (_memory.Remove(keyHash, out var node))
        {
            _memoryOrder.Remove(node);
            _memoryBytes -= node.Value.Bytes;
        }
    }

    private sealed record MemoryEntry(string KeyHash, int[] Tokens, byte[] State)
    {
        public long Bytes { get; } = State.LongLength + (4L * Tokens.Length);
    }
}
