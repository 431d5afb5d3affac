namespace Frugal.Conversations;

/// <summary>
/// Session leases inside one process: one semaphore per session that has a turn running or waiting,
/// dropped when the last one leaves, so idle sessions cost nothing. A second send to a busy session
/// waits for the first reply to be stored (its history then includes it).
/// </summary>
public sealed class LocalSessionLeases : ISessionLeases
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>How many sessions have a turn running or waiting (for tests and diagnostics).</summary>
    public int ActiveSessions
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<IAsyncDisposable> AcquireAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(sessionId, out entry!))
            {
                entry = new Entry();
                _entries.Add(sessionId, entry);
            }

            entry.Users++;
        }

        try
        {
            await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(sessionId, entry);
            throw;
        }

        return new Lease(this, sessionId, entry);
    }

    private void Leave(string sessionId, Entry entry)
    {
        lock (_entries)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(sessionId);
                entry.Gate.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Lease(LocalSessionLeases owner, string sessionId, Entry entry) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                entry.Gate.Release();
                owner.Leave(sessionId, entry);
            }

            return ValueTask.CompletedTask;
        }
    }
}
