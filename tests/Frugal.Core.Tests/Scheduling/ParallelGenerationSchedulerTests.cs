using Frugal.Inference;
using Frugal.Scheduling;
using static Frugal.Tests.Scheduling.HeldStreams;

namespace Frugal.Tests.Scheduling;

/// <summary>The scheduler on an engine with several sequences: that many generations run at once, the rest queue fairly.</summary>
[Collection(SchedulerEngineCollection.Name)]
public sealed class ParallelGenerationSchedulerTests(TinyEngineFixture fixture)
{
    [Fact]
    public async Task RunAsync_EngineWithNSequences_RunsNAtOnceAndQueuesTheNext()
    {
        var scheduler = Create();
        var running = new List<IAsyncEnumerator<ChatUpdate>>();
        try
        {
            for (var i = 0; i < TinyEngineFixture.Parallel; i++)
            {
                running.Add(await StartAsync(scheduler, $"user{i}"));
            }

            Assert.Equal(TinyEngineFixture.Parallel, scheduler.ActiveGenerations);
            Assert.Equal(0, scheduler.QueueDepth);

            await using var next = scheduler.RunAsync("late", Request(3),
                TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
            Assert.True(await next.MoveNextAsync());
            Assert.NotNull(next.Current.Admitted);
            Assert.True(await next.MoveNextAsync());
            Assert.Equal(1, next.Current.QueuePosition);
            Assert.Equal([1], scheduler.QueuePositionsOf("late"));

            // One running request ends: the waiting one takes its worker.
            await running[0].DisposeAsync();
            running.RemoveAt(0);
            Assert.True(await next.MoveNextAsync());
            Assert.True(next.Current.Admitted is null && next.Current.QueuePosition is null);
            Assert.Equal(0, scheduler.QueueDepth);
            Assert.True(fixture.ParallelEngine.PeakStepSequences >= 2, $"peak {fixture.ParallelEngine.PeakStepSequences} sequences in one step");
        }
        finally
        {
            foreach (var updates in running)
            {
                await updates.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task RunAsync_MoreRequestsThanSequences_AllFinishWithTheirFigures()
    {
        var scheduler = Create();

        var results = await Task.WhenAll(Enumerable.Range(0, 7).Select(i => Task.Run(async () =>
        {
            GenerationStats? stats = null;
            await foreach (var update in scheduler.RunAsync($"user{i % 3}", Request(6)))
            {
                stats = update.Completed ?? stats;
            }

            return stats;
        })));

        Assert.All(results, s => Assert.Equal((FinishReason.Length, 6), (s!.FinishReason, s.CompletionTokens)));
        Assert.Equal(0, scheduler.ActiveGenerations);
        Assert.Equal(0, scheduler.QueueDepth);
    }

    [Fact]
    public async Task RunAsync_UserAtMaxRunning_WaitsWhileAnotherUserTakesTheFreeWorker()
    {
        var scheduler = Create(maxRunningPerUser: 2); // of 3 workers
        await using var a1 = await StartAsync(scheduler, "alice");
        await using var a2 = await StartAsync(scheduler, "alice");

        await using var a3 = scheduler.RunAsync("alice", Request(3), TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await a3.MoveNextAsync());
        Assert.True(await a3.MoveNextAsync());
        Assert.Equal(1, a3.Current.QueuePosition); // a worker is free, but not for a third of alice's
        Assert.Equal(2, scheduler.ActiveGenerations);
        await using var b1 = await StartAsync(scheduler, "bob"); // bob takes it at once
        Assert.Equal(3, scheduler.ActiveGenerations);

        // One of alice's ends: its worker goes to her waiting request.
        await a1.DisposeAsync();
        Assert.True(await a3.MoveNextAsync());
        Assert.True(a3.Current.Admitted is null && a3.Current.QueuePosition is null);
        Assert.Equal(0, scheduler.QueueDepth);
    }

    private GenerationScheduler Create(int maxRunningPerUser = SchedulerOptions.DefaultMaxRunningPerUser) =>
        HeldStreams.CreateScheduler(fixture.ParallelEngine, maxRunningPerUser: maxRunningPerUser);
}
