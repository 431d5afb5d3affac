using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Frugal.Conversations;
using Npgsql;

namespace Frugal.Storage.Postgres;

/// <summary>
/// Session leases across every instance on one PostgreSQL database: a session-level advisory lock
/// per session (64-bit key from SHA-256 of its id), all held on one connection of this instance
/// that is kept outside the pool. Within the instance a <see cref="LocalSessionLeases"/> queues turns
/// first (PostgreSQL's locks are re-entrant for one connection). A lock held by another instance is
/// polled for <see cref="Wait"/>, then the send gets <see cref="SessionBusyException"/> (HTTP 409).
/// An instance that dies loses its connection and with it its locks, so its sessions continue
/// elsewhere at once.
/// </summary>
public sealed class PostgresSessionLeases : ISessionLeases, IAsyncDisposable
{
    /// <summary>How long a send waits by default for another instance's turn in the same session.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly LocalSessionLeases _local = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _connectionString;
    private readonly TimeProvider _timeProvider;
    private NpgsqlConnection? _connection;

    /// <summary>Leases on <paramref name="database"/>; a send waits at most <paramref name="wait"/> for another instance.</summary>
    public PostgresSessionLeases(PostgresDatabase database, TimeSpan? wait = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        // Its own connection: the locks live as long as it does, so it must never go back to the pool.
        _connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false, ApplicationName = "frugal-leases" }.ConnectionString;
        Wait = wait ?? DefaultWait;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long a send waits for another instance's turn in the same session before 409.</summary>
    public TimeSpan Wait { get; }

    /// <inheritdoc />
    public async ValueTask<IAsyncDisposable> AcquireAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        var local = await _local.AcquireAsync(sessionId, cancellationToken).ConfigureAwait(false);
        try
        {
            var key = LockKey(sessionId);
            var started = _timeProvider.GetTimestamp();
            while (true)
            {
                if (await TryLockAsync(key, cancellationToken).ConfigureAwait(false) is { } connection)
                {
                    return new Lease(this, key, connection, local);
                }

                if (_timeProvider.GetElapsedTime(started) >= Wait)
                {
                    throw new SessionBusyException(
                        $"Session '{sessionId}' is answering another message on another Frugal instance; send again when that reply has finished.",
                        TimeSpan.FromSeconds(2));
                }

                await Task.Delay(PollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await local.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    internal static long LockKey(string sessionId) =>
        BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes("frugal-session:" + sessionId)));

    // The connection the lock was taken on, or null when another connection holds it.
    private async Task<NpgsqlConnection?> TryLockAsync(long key, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var connection = await ConnectionAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1);", connection) { Parameters = { new() { Value = key } } };
                    return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! ? connection : null;
                }
                catch (NpgsqlException) when (attempt == 0 && connection.FullState != System.Data.ConnectionState.Open)
                {
                    // The connection broke (server restart, network): every lock on it is gone anyway; reconnect once.
                    await connection.DisposeAsync().ConfigureAwait(false);
                    _connection = null;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<NpgsqlConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { FullState: System.Data.ConnectionState.Open } open)
        {
            return open;
        }

        if (_connection is { } broken)
        {
            await broken.DisposeAsync().ConfigureAwait(false);
        }

        _connection = new NpgsqlConnection(_connectionString);
        await _connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return _connection;
    }

    private async Task UnlockAsync(long key, NpgsqlConnection lockedOn)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            // A lock taken on a connection that has since been replaced went with it.
            if (ReferenceEquals(lockedOn, _connection) && lockedOn.FullState == System.Data.ConnectionState.Open)
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1);", lockedOn) { Parameters = { new() { Value = key } } };
                await command.ExecuteScalarAsync().ConfigureAwait(false);
            }
        }
        catch (NpgsqlException)
        {
            // The connection broke while unlocking: the server dropped its locks with it.
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed class Lease(PostgresSessionLeases owner, long key, NpgsqlConnection lockedOn, IAsyncDisposable local) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                try
                {
                    await owner.UnlockAsync(key, lockedOn).ConfigureAwait(false);
                }
                finally
                {
                    await local.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }
}
