using Frugal.Inference;
using Frugal.Scheduling;
using Frugal.Tests.Inference;
using static Frugal.Tests.Scheduling.HeldStreams;

namespace Frugal.Tests.Scheduling;

/// <summary>
/// Who may start streaming on an engine with several sequences: no more streams than keep the floor rate
/// (the engine's <see cref="IInferenceEngine.StreamLimit"/>), and no more per user than
/// <see cref="SchedulerOptions.MaxRunningPerUser"/>; the others wait in the fair queue.
/// </summary>
[Collection(SchedulerEngineCollection.Name)]
public sealed class StreamAdmissionTests(TinyEngineFixture fixture)
{
    [Fact]
    public async Task RunAsync_FloorAboveWhatTwoStreamsGive_SecondRequestQueues()
    {
        await using var engine = await LoadAsync(floor: 10_000);
        var scheduler = Create(engine);

        await using var first = await StartAsync(scheduler, "alice");
        await using var second = scheduler.RunAsync("bob", Request(3), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await second.MoveNextAsync());
        Assert.NotNull(second.Current.Admitted);
        Assert.True(await second.MoveNextAsync());

        Assert.Equal(1, second.Current.QueuePosition);
        Assert.Equal(1, engine.StreamLimit);
        Assert.Equal(1, scheduler.ActiveGenerations);

        // The running stream ends: the waiting one takes its place.
        await first.DisposeAsync();
        Assert.True(await second.MoveNextAsync());
        Assert.True(second.Current.Admitted is null && second.Current.QueuePosition is null);
    }

    [Fact]
    public async Task RunAsync_FloorBelowWhatTwoStreamsGive_SecondRequestJoins()
    {
        await using var engine = await LoadAsync(floor: 0.01);
        var scheduler = Create(engine);

        await using var first = await StartAsync(scheduler, "alice");
        await using var second = await StartAsync(scheduler, "bob");

        Assert.Equal(2, engine.StreamLimit);
        Assert.Equal(2, scheduler.ActiveGenerations);
        Assert.Equal(0, scheduler.QueueDepth);
    }

    [Fact]
    public async Task RunAsync_UserAtTheirStreamLimit_TheirNextWaitsWhileOthersStart()
    {
        var scheduler = Create(fixture.ParallelEngine, streamsPerUser: 1);

        await using var first = await StartAsync(scheduler, "alice");
        await using var again = scheduler.RunAsync("alice", Request(3), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await again.MoveNextAsync());
        Assert.True(await again.MoveNextAsync());
        Assert.Equal(1, again.Current.QueuePosition);

        // A free slot goes to another user, not to alice's second request.
        await using var other = await StartAsync(scheduler, "bob");
        Assert.Equal(2, scheduler.ActiveGenerations);
        Assert.Equal([1], scheduler.QueuePositionsOf("alice"));

        await first.DisposeAsync();
        Assert.True(await again.MoveNextAsync());
        Assert.True(again.Current.Admitted is null && again.Current.QueuePosition is null);
        Assert.Equal(0, scheduler.QueueDepth);
    }

    [Fact]
    public async Task RunAsync_ManyRequestsOfOneUser_NeverMoreRunningThanTheirLimit()
    {
        var scheduler = Create(fixture.ParallelEngine, streamsPerUser: 2);
        var running = 0;
        var peak = 0;

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            GenerationStats? stats = null;
            var counted = false;
            await foreach (var update in scheduler.RunAsync("alice", Request(6)))
            {
                if (!counted && update.Admitted is null && update.QueuePosition is null)
                {
                    counted = true;
                    var now = Interlocked.Increment(ref running);
                    InterlockedMax(ref peak, now);
                }

                if (update.Completed is not null)
                {
                    // Counted off before the scheduler hands the stream on, which happens after this update.
                    Interlocked.Decrement(ref running);
                    stats = update.Completed;
                }
            }

            return stats;
        })));

        Assert.All(results, s => Assert.Equal(6, s!.CompletionTokens));
        Assert.InRange(peak, 1, 2);
        Assert.Equal(0, scheduler.ActiveGenerations);
    }

    // Each decode step is booked as taking 1 ms (1,000 tokens/s for one stream, no more for two): on one CPU thread the
    // tiny model really decodes one stream at over 10,000 tokens/s, and a floor the engine accepts would not be above it.
    // After one reply alone the engine has timed a one-stream step, which bounds what two would give.
    private Task<LlamaEngine> LoadAsync(double floor) => BookedSteps.LoadWarmedAsync(new EngineOptions
    {
        ModelPath = fixture.TinyModelPath,
        ContextSize = 512,
        ParallelSequences = 2,
        StreamFloorTokensPerSecond = floor,
    }, TimeSpan.FromMilliseconds(1));

    private static GenerationScheduler Create(IInferenceEngine engine, int streamsPerUser = SchedulerOptions.DefaultMaxRunningPerUser) =>
        CreateScheduler(engine, maxRunningPerUser: streamsPerUser);

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var was && was != seen)
        {
            seen = was;
        }
    }
}
