using Frugal.Inference;
using Frugal.Scheduling;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Frugal.Tests.Scheduling.HeldStreams;

namespace Frugal.Tests.Scheduling;

[Collection(SchedulerEngineCollection.Name)]
public sealed class GenerationSchedulerTests(TinyEngineFixture fixture)
{
    [Fact]
    public async Task RunAsync_WorkerFree_RunsAtOnceAndEndsWithFigures()
    {
        var scheduler = Create();
        var updates = new List<ChatUpdate>();

        await foreach (var update in scheduler.RunAsync("alice", Request(maxTokens: 4), TestContext.Current.CancellationToken))
        {
            updates.Add(update);
        }

        Assert.NotNull(updates[0].Admitted);
        Assert.All(updates, u => Assert.Null(u.QueuePosition));
        Assert.NotNull(updates[^1].Completed);
        Assert.Equal(0, scheduler.QueueDepth);
        Assert.Equal(0, scheduler.ActiveGenerations);
    }

    [Fact]
    public async Task RunAsync_OneUserWithManyRequests_OtherUserIsServedAfterItsFirst()
    {
        var scheduler = Create();
        await using var blocker = await HoldWorkerAsync(scheduler);
        var a1 = await QueueAsync(scheduler, "alice", TestContext.Current.CancellationToken);
        var a2 = await QueueAsync(scheduler, "alice", TestContext.Current.CancellationToken);
        var a3 = await QueueAsync(scheduler, "alice", TestContext.Current.CancellationToken);
        var b1 = await QueueAsync(scheduler, "bob", TestContext.Current.CancellationToken);

        Assert.Equal([1, 2, 3, 2], new[] { a1.FirstPosition, a2.FirstPosition, a3.FirstPosition, b1.FirstPosition });
        Assert.Equal(4, scheduler.QueueDepth);

        var started = new List<string>();
        var runs = new[] { ("a1", a1), ("a2", a2), ("a3", a3), ("b1", b1) }
            .Select(pair => pair.Item2.RunToEndAsync(() =>
            {
                lock (started)
                {
                    started.Add(pair.Item1);
                }
            }))
            .ToArray();
        await blocker.DisposeAsync(); // the blocker leaves the worker
        await Task.WhenAll(runs);

        Assert.Equal(["a1", "b1", "a2", "a3"], started);
        Assert.Equal(0, scheduler.QueueDepth);
    }

    [Fact]
    public async Task RunAsync_QueueFull_FirstMoveThrowsQueueFullWithRetryAfter()
    {
        var scheduler = Create(depth: 2);
        await using var blocker = await HoldWorkerAsync(scheduler);
        await using var first = await QueueAsync(scheduler, "alice", TestContext.Current.CancellationToken);
        await using var second = await QueueAsync(scheduler, "bob", TestContext.Current.CancellationToken);

        await using var third = scheduler.RunAsync("carol", Request(), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var refused = await Assert.ThrowsAsync<QueueFullException>(async () => await third.MoveNextAsync());

        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1));
        Assert.Equal(2, scheduler.QueueDepth);
    }

    [Fact]
    public async Task RunAsync_UserPastMaxQueued_RefusedWithUserLimitWhileAnotherUserQueues()
    {
        var scheduler = Create(configure: o => o.MaxQueuedPerUser = 2);
        await using var blocker = await HoldWorkerAsync(scheduler);
        await using var a1 = await QueueAsync(scheduler, "alice", TestContext.Current.CancellationToken);
        await using var a2 = await QueueAsync(scheduler, "alice", TestContext.Current.CancellationToken);

        await using var a3 = scheduler.RunAsync("alice", Request(), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var refused = await Assert.ThrowsAsync<UserLimitException>(async () => await a3.MoveNextAsync());
        await using var b1 = await QueueAsync(scheduler, "bob", TestContext.Current.CancellationToken);

        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1));
        Assert.Equal(2, b1.FirstPosition); // served right after alice's first
        Assert.Equal(3, scheduler.QueueDepth);
    }

    [Fact]
    public async Task RunAsync_OneUserNearlyFillsTheQueue_LastPlacesAreKeptForOtherUsers()
    {
        var scheduler = Create(depth: 4, configure: o =>
        {
            o.MaxQueuedPerUser = 4;
            o.ReservedQueueShare = 0.5; // 2 of 4 places
        });
        await using var blocker = await HoldWorkerAsync(scheduler);
        await using var a1 = await QueueAsync(scheduler, "alice", TestContext.Current.CancellationToken);
        await using var a2 = await QueueAsync(scheduler, "alice", TestContext.Current.CancellationToken);

        await using var a3 = scheduler.RunAsync("alice", Request(), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<UserLimitException>(async () => await a3.MoveNextAsync());
        await using var held = scheduler.RunAsync("holder", Request(), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<UserLimitException>(async () => await held.MoveNextAsync()); // runs one already
        await using var b1 = await QueueAsync(scheduler, "bob", TestContext.Current.CancellationToken);
        await using var c1 = await QueueAsync(scheduler, "carol", TestContext.Current.CancellationToken);
        await using var d1 = scheduler.RunAsync("dave", Request(), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<QueueFullException>(async () => await d1.MoveNextAsync()); // full of four users' requests

        Assert.Equal(4, scheduler.QueueDepth);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileQueued_LeavesTheQueueAndFreesItsPlace()
    {
        var scheduler = Create(depth: 1);
        await using var blocker = await HoldWorkerAsync(scheduler);
        using var cancel = new CancellationTokenSource();
        await using var waiting = await QueueAsync(scheduler, "alice", cancel.Token);

        await cancel.CancelAsync();

        Assert.Equal(0, scheduler.QueueDepth); // at once, before its caller pulls again
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting.Updates.MoveNextAsync());
        await using var next = await QueueAsync(scheduler, "bob", TestContext.Current.CancellationToken);
        Assert.Equal(1, next.FirstPosition);
    }

    [Fact]
    public async Task RunAsync_OneAheadLeaves_WaiterSeesItsNewPosition()
    {
        var scheduler = Create();
        await using var blocker = await HoldWorkerAsync(scheduler);
        using var cancel = new CancellationTokenSource();
        await using var ahead = await QueueAsync(scheduler, "alice", cancel.Token);
        await using var behind = await QueueAsync(scheduler, "bob", TestContext.Current.CancellationToken);
        Assert.Equal(2, behind.FirstPosition);

        var moved = behind.Updates.MoveNextAsync().AsTask();
        await cancel.CancelAsync();

        Assert.True(await moved);
        Assert.Equal(1, behind.Updates.Current.QueuePosition);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileRunning_StopsWithCancelledAndFreesTheWorker()
    {
        var scheduler = Create();
        using var cancel = new CancellationTokenSource();
        var running = scheduler.RunAsync("alice", Request(maxTokens: 400), cancel.Token).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await running.MoveNextAsync()); // admitted
        Assert.True(await running.MoveNextAsync()); // running
        Assert.Equal(1, scheduler.ActiveGenerations);
        await using var waiting = await QueueAsync(scheduler, "bob", TestContext.Current.CancellationToken);

        await cancel.CancelAsync();
        var stats = await DrainAsync(running);
        await running.DisposeAsync();

        Assert.Equal(FinishReason.Cancelled, stats.FinishReason);
        Assert.True(stats.CompletionTokens < 400);
        await waiting.RunToEndAsync(() => { });
        Assert.Equal(0, scheduler.ActiveGenerations);
    }

    [Fact]
    public async Task RunAsync_TimeLimitReached_EndsWithLength()
    {
        var time = new FakeTimeProvider();
        var scheduler = Create(time: time, limit: TimeSpan.FromSeconds(10));
        await using var running = scheduler.RunAsync("alice", Request(maxTokens: 400),
            TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await running.MoveNextAsync()); // admitted
        Assert.True(await running.MoveNextAsync()); // running

        time.Advance(TimeSpan.FromSeconds(11));
        var stats = await DrainAsync(running);

        Assert.Equal(FinishReason.Length, stats.FinishReason);
        Assert.True(stats.CompletionTokens < 400);
    }

    [Fact]
    public async Task RunAsync_ReaderStopsPulling_NextRequestRunsWhileTheReplyWaitsInTheBuffer()
    {
        var scheduler = Create(configure: o => o.ReplyBuffer = SchedulerOptions.DefaultReplyBuffer);
        await using var alice = scheduler.RunAsync("alice", Request(maxTokens: 20),
            TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await alice.MoveNextAsync()); // admitted
        Assert.True(await alice.MoveNextAsync()); // running; alice reads nothing more for now

        // bob gets the one worker and is served to the end while alice's reply is still unread.
        await using var bobUpdates = scheduler.RunAsync("bob", Request(maxTokens: 5),
            TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        var bob = await DrainAsync(bobUpdates).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken); // a guard against a hang, not a speed check
        Assert.Equal((FinishReason.Length, 5), (bob.FinishReason, bob.CompletionTokens));

        var stats = await DrainAsync(alice);
        Assert.Equal((FinishReason.Length, 20), (stats.FinishReason, stats.CompletionTokens));
    }

    [Fact]
    public void Constructor_QueueDepthZero_Throws()
    {
        Assert.Throws<OptionsValidationException>(() => Create(depth: 0));
    }

    private GenerationScheduler Create(int depth = 16, FakeTimeProvider? time = null, TimeSpan? limit = null, Action<SchedulerOptions>? configure = null) =>
        CreateScheduler(fixture.Engine, depth, timeProvider: time, configure: options =>
        {
            options.MaxGenerationTime = limit ?? SchedulerOptions.DefaultMaxGenerationTime;
            configure?.Invoke(options);
        });

    // Holds the only worker until disposed.
    private static Task<IAsyncEnumerator<ChatUpdate>> HoldWorkerAsync(GenerationScheduler scheduler) => StartAsync(scheduler, "holder");

    private static async Task<Waiter> QueueAsync(GenerationScheduler scheduler, string user, CancellationToken cancellationToken = default)
    {
        var updates = scheduler.RunAsync(user, Request(), cancellationToken).GetAsyncEnumerator(cancellationToken);
        Assert.True(await updates.MoveNextAsync());
        Assert.NotNull(updates.Current.Admitted);
        Assert.True(await updates.MoveNextAsync());
        var position = updates.Current.QueuePosition ?? throw new InvalidOperationException("The request did not queue.");
        return new Waiter(updates, position);
    }

    private static async Task<GenerationStats> DrainAsync(IAsyncEnumerator<ChatUpdate> updates)
    {
        GenerationStats? stats = null;
        while (await updates.MoveNextAsync())
        {
            stats = updates.Current.Completed ?? stats;
        }

        return stats ?? throw new InvalidOperationException("No figures at the end.");
    }

    private sealed class Waiter(IAsyncEnumerator<ChatUpdate> updates, int firstPosition) : IAsyncDisposable
    {
        public IAsyncEnumerator<ChatUpdate> Updates { get; } = updates;

        public int FirstPosition { get; } = firstPosition;

        // Pulls to the end; calls onStart at the first step of generation (only one runs at a time, so the calls are ordered).
        public async Task RunToEndAsync(Action onStart)
        {
            var started = false;
            while (await Updates.MoveNextAsync())
            {
                if (!started && Generating(Updates.Current))
                {
                    started = true;
                    onStart();
                }
            }

            Assert.True(started);
        }

        public ValueTask DisposeAsync() => Updates.DisposeAsync();
    }
}
