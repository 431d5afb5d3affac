using Frugal.Conversations;
using Frugal.Storage.Postgres;
using Frugal.Tests.Infrastructure;

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
        var held = await First.AcquireAsync("ses_a");

        var busy = await Assert.ThrowsAsync<SessionBusyException>(async () => await Second.AcquireAsync("ses_a"));
        Assert.Contains("ses_a", busy.Message, StringComparison.Ordinal);
        Assert.Contains("another Frugal instance", busy.Message, StringComparison.Ordinal);
        await using (await Second.AcquireAsync("ses_b"))
        {
            // Another session is free meanwhile.
        }

        await held.DisposeAsync();
        await using var taken = await Second.AcquireAsync("ses_a");
        await Assert.ThrowsAsync<SessionBusyException>(async () => await First.AcquireAsync("ses_a"));
    }

    [Fact]
    public async Task AcquireAsync_ReleasedWhileWaiting_TheWaiterGetsIt()
    {
        var waiting = new PostgresSessionLeases(await _location.OpenDatabaseAsync(), TimeSpan.FromSeconds(30));
        await using var _ = waiting;
        var held = await First.AcquireAsync("ses_a");

        var acquire = waiting.AcquireAsync("ses_a").AsTask();
        await Task.Delay(300);
        Assert.False(acquire.IsCompleted);
        await held.DisposeAsync();
        await using var lease = await acquire;
    }

    [Fact]
    public async Task AcquireAsync_HolderDiesWithoutReleasing_OthersGetItAtOnce()
    {
        await First.AcquireAsync("ses_a");
        // What kill -9 does: the instance's connection closes without an unlock.
        await First.DisposeAsync();
        _first = new PostgresSessionLeases(await _location.OpenDatabaseAsync(), ShortWait);

        await using var lease = await Second.AcquireAsync("ses_a");
    }

    [Fact]
    public async Task AcquireAsync_SameInstance_SecondTurnWaitsForTheFirst()
    {
        var held = await First.AcquireAsync("ses_a");

        var second = First.AcquireAsync("ses_a").AsTask();
        await Task.Delay(300);
        Assert.False(second.IsCompleted);
        await held.DisposeAsync();
        await using var lease = await second;
        await Assert.ThrowsAsync<SessionBusyException>(async () => await Second.AcquireAsync("ses_a"));
    }
}
