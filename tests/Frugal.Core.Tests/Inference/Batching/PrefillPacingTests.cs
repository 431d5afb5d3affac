using Frugal.Inference;

namespace Frugal.Tests.Inference.Batching;

/// <summary>
/// The prefill pacing on the real engine: a newcomer's prompt is evaluated beside a streaming reply only with the
/// time that reply has in hand over the floor. Every decode step is booked at 1 s (<see cref="BookedSteps"/>) against a floor
/// of 10,000 tokens/s, so the reply never has time in hand, on any CPU: paced, the newcomer's prompt waits while
/// it streams; with the pacing off, the newcomer starts and ends beside it.
/// </summary>
[Collection(TinyEngineCollection.Name)]
public sealed class PrefillPacingTests
{
    [Fact]
    public async Task GenerateAsync_ReplyWithNoTimeInHand_NewcomersPromptWaitsUntilItEnds()
    {
        await using var engine = await LoadAsync(horizon: EngineOptions.DefaultPrefillHorizonTokens);
        var events = new Events();

        var reply = RunAsync(engine, "Tell me a long story.", 200, "reply", events, CancellationToken.None);
        await events.FirstText("reply");
        var newcomer = RunAsync(engine, "Name a colour.", 4, "newcomer", events, CancellationToken.None);
        // The newcomer in its slot, prompt not evaluated (or, were the pacing broken, already answering).
        var placed = await WhenAsync(() => engine.Streams.Count == 2 ? engine.Streams.FirstOrDefault(s => s.Prefilling) : null, newcomer);
        var seen = events.Texts("reply");
        await Task.WhenAny(events.TextsReach("reply", seen + 40), newcomer); // the reply decodes 40 more tokens
        var meanwhile = placed is null ? null : engine.Streams.FirstOrDefault(s => s.Slot == placed.Slot);
        var newcomerTextsMeanwhile = events.Texts("newcomer");
        var stats = await Task.WhenAll(reply, newcomer);

        Assert.Equal(0, newcomerTextsMeanwhile);
        Assert.NotNull(meanwhile);
        Assert.Equal(placed!.EvaluatedTokens, meanwhile.EvaluatedTokens); // not one prompt token evaluated beside the reply
        Assert.Equal((200, 4), (stats[0].CompletionTokens, stats[1].CompletionTokens));
    }

    [Fact]
    public async Task GenerateAsync_PacingOff_NewcomerStartsBesideTheReply()
    {
        await using var engine = await LoadAsync(horizon: 0);
        var events = new Events();
        using var stopReply = new CancellationTokenSource();

        var reply = RunAsync(engine, "Tell me a long story.", 3000, "reply", events, stopReply.Token);
        await events.FirstText("reply");
        var newcomer = await RunAsync(engine, "Name a colour.", 4, "newcomer", events, CancellationToken.None);
        await stopReply.CancelAsync();
        var stopped = await reply;

        Assert.Equal(4, newcomer.CompletionTokens);
        Assert.Equal(FinishReason.Cancelled, stopped.FinishReason);
        Assert.True(events.IndexOf("newcomer first text") < events.IndexOf("reply ended"), string.Join(", ", events.All));
    }

    private static Task<LlamaEngine> LoadAsync(int horizon) => BookedSteps.LoadWarmedAsync(new EngineOptions
    {
        ModelPath = TestModels.TinyUnending,
        ContextSize = 4096,
        ParallelSequences = 2,
        StreamFloorTokensPerSecond = 10_000,
        PrefillHorizonTokens = horizon,
    }, TimeSpan.FromSeconds(1));

    private static Task<GenerationStats> RunAsync(IInferenceEngine engine, string message, int maxTokens, string name, Events events,
        CancellationToken cancellationToken) => Task.Run(async () =>
        {
            GenerationStats? stats = null;
            await foreach (var update in engine.GenerateAsync(GenerationRuns.Greedy(message, maxTokens), cancellationToken))
            {
                if (update.Text.Length > 0)
                {
                    events.Text(name);
                }

                stats = update.Completed ?? stats;
            }

            events.Add($"{name} ended");
            return stats!;
        });

    // What the probe finds once it finds it; null if the task ends first.
    private static async Task<T?> WhenAsync<T>(Func<T?> probe, Task ended)
        where T : class
    {
        T? value;
        while ((value = probe()) is null && !ended.IsCompleted)
        {
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        return value;
    }

    /// <summary>Each stream's text updates so far, its first text, and its end, in order.</summary>
    private sealed class Events
    {
        private readonly Lock _lock = new();
        private readonly List<string> _all = [];
        private readonly Dictionary<string, int> _texts = [];
        private readonly List<(string Name, int Count, TaskCompletionSource Reached)> _waits = [];

        public IReadOnlyList<string> All
        {
            get
            {
                lock (_lock)
                {
                    return [.. _all];
                }
            }
        }

        public int IndexOf(string name) => All.ToList().IndexOf(name) is var i and >= 0 ? i : int.MaxValue;

        public int Texts(string name)
        {
            lock (_lock)
            {
                return _texts.GetValueOrDefault(name);
            }
        }

        public Task FirstText(string name) => TextsReach(name, 1);

        public Task TextsReach(string name, int count)
        {
            lock (_lock)
            {
                if (_texts.GetValueOrDefault(name) >= count)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((name, count, reached));
                return reached.Task;
            }
        }

        public void Text(string name)
        {
            lock (_lock)
            {
                var count = _texts[name] = _texts.GetValueOrDefault(name) + 1;
                if (count == 1)
                {
                    _all.Add($"{name} first text");
                }

                foreach (var wait in _waits.Where(w => w.Name == name && w.Count <= count).ToList())
                {
                    _waits.Remove(wait);
                    wait.Reached.TrySetResult();
                }
            }
        }

        public void Add(string name)
        {
            lock (_lock)
            {
                _all.Add(name);
            }
        }
    }
}
