namespace Frugal.Inference.State;

/// <summary>The disk tier: one checksummed file per state, least recently used evicted first.</summary>
public sealed partial class TieredSessionStateStore
{
    /// <summary>A file grows by at most this many chunks; then it is written afresh, whole.</summary>
    internal const int MaxChunks = 32;

    private const string Extension = ".state";
    private readonly LinkedList<DiskEntry> _diskOrder = new();
    private readonly Dictionary<string, LinkedListNode<DiskEntry>> _disk = new(StringComparer.Ordinal);
    private long _diskBytes;

    private void OpenDisk()
    {
        Frugal.Storage.PrivateData.EnsureDirectory(Directory);  // 0700: states hold the conversations' prompts
        DiscardOtherModels();
        var found = new List<(DiskEntry Entry, DateTime LastUsed)>();
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles())
        {
            if (file.Name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                // A write that a crash interrupted.
                file.Delete();
                continue;
            }

            var keyHash = Path.GetFileNameWithoutExtension(file.Name);
            if (file.Extension != Extension || !IsKeyHash(keyHash))
            {
                continue;
            }

            if (Walk(file.FullName, keyHash) is not { } layout)
            {
                Log.DiscardedCorruptState(_logger, file.Name);
                file.Delete();
                continue;
            }

            found.Add((new DiskEntry(keyHash, layout.Length, layout.Tokens, layout.Chunks), file.LastWriteTimeUtc));
        }

        foreach (var (entry, _) in found.OrderByDescending(f => f.LastUsed))
        {
            _disk[entry.KeyHash] = _diskOrder.AddLast(entry);
            _diskBytes += entry.Bytes;
        }

        // The budget may have shrunk since the last run.
        while (_diskBytes > _diskBudget)
        {
            RemoveFromDisk(_diskOrder.Last!.Value.KeyHash);
        }

        Log.Opened(_logger, Directory, _disk.Count, _diskBytes);
    }

    private void DiscardOtherModels()
    {
        foreach (var directory in new DirectoryInfo(RootDirectory).EnumerateDirectories())
        {
            // Only directories this store names (32 hex digits) are touched; anything else is not ours.
            if (directory.FullName != Directory && directory.Name.Length == 32 && directory.Name.All(char.IsAsciiHexDigitLower))
            {
                Log.DiscardedOtherModel(_logger, directory.Name);
                directory.Delete(recursive: true);
            }
        }
    }

    private SessionStateFile.Layout? Walk(string path, string keyHash)
    {
        try
        {
            return SessionStateFile.Walk(path, _identityHash, Convert.FromHexString(keyHash));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsKeyHash(string name) => name.Length == 64 && name.All(char.IsAsciiHexDigitLower);

    private string PathOf(string keyHash) => Path.Combine(Directory, keyHash + Extension);

    /// <summary>The file that holds (or would hold) <paramref name="key"/>'s state (tests read what was written to it).</summary>
    internal string FileOf(string key) => PathOf(HashKey(key));

    /// <summary>Writes a state to disk, evicting older files to stay within the budget; drops it when it cannot fit.</summary>
    private void Spill(string keyHash, int[] tokens, ReadOnlySpan<byte> state)
    {
        var length = SessionStateFile.FileLength(tokens.Length, state.Length);
        if (length > _diskBudget)
        {
            Log.DroppedState(_logger, state.Length + (4L * tokens.Length));
            return;
        }

        while (_diskBytes + length > _diskBudget)
        {
            RemoveFromDisk(_diskOrder.Last!.Value.KeyHash);
        }

        try
        {
            SessionStateFile.Write(PathOf(keyHash), _identityHash, Convert.FromHexString(keyHash), tokens, state);
        }
        catch (IOException exception)
        {
            // A full or failing disk costs the session a re-evaluation, never the reply.
            Log.SpillFailed(_logger, exception);
            TryDelete(PathOf(keyHash) + ".tmp");
            return;
        }

        _disk[keyHash] = _diskOrder.AddFirst(new DiskEntry(keyHash, length, tokens.Length, 1));
        _diskBytes += length;
    }

    /// <summary>
    /// Adds a chunk to the file of <paramref name="keyHash"/> when it holds exactly <paramref name="keptTokens"/>
    /// tokens, evicting other files to stay within the budget. False (nothing changed) when there is no such file,
    /// it has its most chunks, or the grown file would not fit the budget.
    /// </summary>
    private bool AppendToDisk(string keyHash, int keptTokens, int[] tokens, ReadOnlySpan<byte> state)
    {
        if (!_disk.TryGetValue(keyHash, out var node) || node.Value.Tokens != keptTokens || (tokens.Length > 0 && node.Value.Chunks >= MaxChunks))
        {
            return false;
        }

        var entry = node.Value;
        _diskOrder.Remove(node);
        _diskOrder.AddFirst(node);
        if (tokens.Length == 0)
        {
            // Nothing new since the file was written: it is the state as it stands.
            TryTouch(PathOf(keyHash));
            return true;
        }

        var added = SessionStateFile.ChunkLength(tokens.Length, state.Length);
        if (entry.Bytes + added > _diskBudget)
        {
            return false;
        }

        while (_diskBytes + added > _diskBudget)
        {
            RemoveFromDisk(_diskOrder.Last!.Value.KeyHash);
        }

        try
        {
            SessionStateFile.Append(PathOf(keyHash), entry.Bytes, _identityHash, Convert.FromHexString(keyHash), tokens, state);
        }
        catch (IOException exception)
        {
            // The file is as it was, or unreadable: either way the caller writes the state afresh.
            Log.SpillFailed(_logger, exception);
            RemoveFromDisk(keyHash);
            return false;
        }

        node.Value = entry with { Bytes = entry.Bytes + added, Tokens = entry.Tokens + tokens.Length, Chunks = entry.Chunks + 1 };
        _diskBytes += added;
        return true;
    }

    private SavedSessionState? ReadFromDisk(string keyHash)
    {
        if (!_disk.TryGetValue(keyHash, out var node))
        {
            return null;
        }

        var path = PathOf(keyHash);
        SavedSessionState? state;
        try
        {
            state = SessionStateFile.Read(path, _identityHash, Convert.FromHexString(keyHash));
        }
        catch (IOException)
        {
            state = null;
        }

        if (state is null)
        {
            Log.DiscardedCorruptState(_logger, Path.GetFileName(path));
            RemoveFromDisk(keyHash);
            return null;
        }

        _diskOrder.Remove(node);
        _diskOrder.AddFirst(node);
        // The file's time is the LRU order a restart sees.
        TryTouch(path);
        return state;
    }

    private void RemoveFromDisk(string keyHash)
    {
        if (_disk.Remove(keyHash, out var node))
        {
            _diskOrder.Remove(node);
            _diskBytes -= node.Value.Bytes;
            TryDelete(PathOf(keyHash));
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException exception)
        {
            Log.DeleteFailed(_logger, exception);
        }
        catch (UnauthorizedAccessException exception)
        {
            Log.DeleteFailed(_logger, exception);
        }
    }

    private static void TryTouch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (IOException)
        {
            // Only the LRU order after a restart suffers.
        }
    }

    private sealed record DiskEntry(string KeyHash, long Bytes, int Tokens, int Chunks);
}
