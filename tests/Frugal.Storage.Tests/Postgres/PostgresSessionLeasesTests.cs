using System.Threading.Channels;
using Frugal.Conversations;
using Frugal.Storage.Postgres;
using Frugal.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Frugal.Tests.Postgres;

/// <summary>Two lease objects on one database stand for two instances.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSessionLeasesTests(PostgresCluster cluster) : IAsyncLifetime
{
    private static readonly TimeSpan ShortWait = TimeSpan.FromMilliseconds(400);
    private readonly PostgresLocation _location = new(cluster);
    private PostgresSessionLeases? _first;
    private PostgresSessionLeases? _second;

    private PostgresSessionLeases First => _first!;

    private PostgresSessionLeases Second => _second!;

    public async ValueTask InitializeAsync()
    {
        _first = new PostgresSessionLeases(await _location.OpenDatabaseAsync(), ShortWait);
        _second = new PostgresSessionLeases(await _location.OpenDatabaseAsync(), ShortWait);
    }

    public async ValueTask DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
        await _location.DisposeAsync();
    }

    [Fact]
    public async Task AcquireAsync_HeldByAnotherInstance_IsBusyUntilReleased()
    {
        var held = await First.AcquireAsync("ses_a", TestContext.Current.CancellationToken);

        var busy = await Assert.ThrowsAsync<SessionBusyException>(async () => await Second.AcquireAsync("ses_a", TestContext.Current.CancellationToken));
        Assert.Contains("ses_a", busy.Message, StringComparison.Ordinal);
        Assert.Contains("another Frugal instance", busy.Message, StringComparison.Ordinal);
        await using (await Second.AcquireAsync("ses_b", TestContext.Current.CancellationToken))
        {
            // Another session is free meanwhile.
        }

        await held.DisposeAsync();
        await using var taken = await Second.AcquireAsync("ses_a", TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<SessionBusyException>(async () => await First.AcquireAsync("ses_a", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AcquireAsync_ReleasedWhileWaiting_TheWaiterGetsIt()
    {
        var clock = new PollClock();
        var waiting = new PostgresSessionLeases(await _location.OpenDatabaseAsync(), TimeSpan.FromSeconds(30), clock);
        await using var _ = waiting;
        var held = await First.AcquireAsync("ses_a", TestContext.Current.CancellationToken);

        var acquire = waiting.AcquireAsync("ses_a", TestContext.Current.CancellationToken).AsTask();
        // The waiter found the lock taken and set its timer to try again: until that timer fires it cannot have the lease.
        await clock.TimerSetAsync(TestContext.Current.CancellationToken);
        Assert.False(acquire.IsCompleted);
        await held.DisposeAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        await using var lease = await acquire;
    }

    [Fact]
    public async Task AcquireAsync_HolderDiesWithoutReleasing_OthersGetItAtOnce()
    {
        await First.AcquireAsync("ses_a", TestContext.Current.CancellationToken);
        // What kill -9 does: the instance's connection closes without an unlock.
        await First.DisposeAsync();
        _first = new PostgresSessionLeases(await _location.OpenDatabaseAsync(), ShortWait);

        await using var lease = await Second.AcquireAsync("ses_a", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AcquireAsync_SameInstance_SecondTurnWaitsForTheFirst()
    {
        var held = await First.AcquireAsync("ses_a", TestContext.Current.CancellationToken);

        var second = First.AcquireAsync("ses_a", TestContext.Current.CancellationToken).AsTask();
        // The instance asks the database on one connection, one lock at a time: once another session's lease is taken, a
        // second turn that had gone to the database (where the lock is re-entrant) instead of queueing would have it too.
        await using (await First.AcquireAsync("ses_b", TestContext.Current.CancellationToken))
        {
            Assert.False(second.IsCompleted);
        }

        await held.DisposeAsync();
        await using var lease = await second;
        await Assert.ThrowsAsync<SessionBusyException>(async () => await Second.AcquireAsync("ses_a", TestContext.Current.CancellationToken));
    }

    // A clock that moves only when the test moves it and says when a timer is set (the waiter's next try).
    private sealed class PollClock : FakeTimeProvider
    {
        private readonly Channel<TimeSpan> _timersSet = Channel.CreateUnbounded<TimeSpan>();

        public async Task TimerSetAsync(CancellationToken cancellationToken) => await _timersSet.Reader.ReadAsync(cancellationToken);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            _timersSet.Writer.TryWrite(dueTime);
            return timer;
        }
    }
}
