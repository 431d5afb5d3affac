using System.Runtime.CompilerServices;
using Frugal.Inference;
using Frugal.Scheduling;

namespace Frugal.Tests.Scheduling;

/// <summary>
/// The buffer between a generation and its reader, on a generation written here that makes text until it is
/// cancelled (so whether it was cancelled is never a race with its end).
/// </summary>
public sealed class ReplyBufferTests
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stalls;

    [Fact]
    public async Task ReadAsync_ReaderLeavesTheBufferFull_GenerationCancelledAndAllItMadeIsStillRead()
    {
        await using var updates = Read(capacity: 4, cancellationToken: TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await updates.MoveNextAsync());
        Assert.Equal("t0", updates.Current.Text);

        // The reader pauses: the generation fills the buffer, is cancelled when it stays full, and ends (its worker freed).
        await _ended.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken); // a guard against a hang, not a speed check
        Assert.Equal(1, _stalls);

        // Then the reader gets everything in order, nothing dropped, and the figures of a cancelled reply.
        var texts = new List<string> { "t0" };
        GenerationStats? stats = null;
        while (await updates.MoveNextAsync())
        {
            if (updates.Current.Completed is { } completed)
            {
                stats = completed;
            }
            else
            {
                texts.Add(updates.Current.Text);
            }
        }

        Assert.NotNull(stats);
        Assert.Equal(FinishReason.Cancelled, stats.FinishReason);
        Assert.Equal(Enumerable.Range(0, stats.CompletionTokens).Select(i => $"t{i}"), texts);
        Assert.True(texts.Count > 4);
    }

    [Fact]
    public async Task ReadAsync_ReaderLeaves_GenerationCancelledAndEnded()
    {
        var updates = Read(capacity: 4, stallLimit: TimeSpan.FromHours(1),
            cancellationToken: TestContext.Current.CancellationToken).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await updates.MoveNextAsync());

        await updates.DisposeAsync();

        Assert.True(_ended.Task.IsCompleted); // by the time the reader is gone
        Assert.Equal(0, _stalls);
    }

    [Fact]
    public async Task ReadAsync_CallerCancels_LastUpdateSaysCancelled()
    {
        using var cancel = new CancellationTokenSource();
        await using var updates = Read(capacity: 64, stallLimit: TimeSpan.FromHours(1),
            cancellationToken: cancel.Token).GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await updates.MoveNextAsync());

        await cancel.CancelAsync();
        GenerationStats? stats = null;
        while (await updates.MoveNextAsync())
        {
            stats = updates.Current.Completed ?? stats;
        }

        Assert.Equal(FinishReason.Cancelled, stats?.FinishReason);
    }

    [Fact]
    public async Task ReadAsync_GenerationFails_ReaderGetsTheFailure()
    {
        static async IAsyncEnumerable<ChatUpdate> Failing([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            yield return new ChatUpdate { Text = "t0" };
            await Task.Yield();
            throw new InvalidOperationException("engine failed");
        }

        await using var updates = ReplyBuffer.ReadAsync(Failing, 4, TimeSpan.FromHours(1), TimeProvider.System, () => _ended.TrySetResult(), () => { },
            TestContext.Current.CancellationToken)
            .GetAsyncEnumerator(TestContext.Current.CancellationToken);
        Assert.True(await updates.MoveNextAsync());

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () => await updates.MoveNextAsync());
        Assert.Equal("engine failed", failure.Message);
        Assert.True(_ended.Task.IsCompleted);
    }

    private IAsyncEnumerable<ChatUpdate> Read(int capacity, TimeSpan? stallLimit = null, CancellationToken cancellationToken = default) =>
        ReplyBuffer.ReadAsync(
            Endless, capacity, stallLimit ?? TimeSpan.FromMilliseconds(100), TimeProvider.System,
            () => _ended.TrySetResult(), () => Interlocked.Increment(ref _stalls), cancellationToken);

    // Text until cancelled, then the figures, like the engine.
    private static async IAsyncEnumerable<ChatUpdate> Endless([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var made = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            yield return new ChatUpdate { Text = $"t{made++}" };
            await Task.Yield();
        }

        yield return new ChatUpdate
        {
            Completed = new GenerationStats
            {
                PromptTokens = 1,
                CompletionTokens = made,
                FinishReason = FinishReason.Cancelled,
                TimeToFirstToken = TimeSpan.Zero,
                PromptTokensPerSecond = 0,
                DecodeTokensPerSecond = 0,
            },
        };
    }
}
