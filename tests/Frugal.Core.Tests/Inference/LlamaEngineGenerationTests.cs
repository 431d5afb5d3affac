using Frugal.Inference;
using Frugal.Inference.Batching;

namespace Frugal.Tests.Inference;

[Collection(TinyEngineCollection.Name)]
public sealed class LlamaEngineGenerationTests(TinyEngineFixture fixture)
{
    private LlamaEngine Engine => fixture.Engine;

    [Fact]
    public async Task GenerateAsync_TemperatureZero_TwoRunsGiveTheSameReply()
    {
        var first = await GenerationRuns.RunAsync(Engine, GenerationRuns.Greedy("Tell me about rivers.", 16), TestContext.Current.CancellationToken);
        var second = await GenerationRuns.RunAsync(Engine, GenerationRuns.Greedy("Tell me about rivers.", 16), TestContext.Current.CancellationToken);

        Assert.NotEmpty(first.Text);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(first.Stats.CompletionTokens, second.Stats.CompletionTokens);
    }

    [Fact]
    public async Task GenerateAsync_SameSeed_SameReply()
    {
        var request = GenerationRuns.Greedy("Seeded.", 12) with { Sampling = new SamplingOptions { Temperature = 1.2f, Seed = 42 } };

        var first = await GenerationRuns.RunAsync(Engine, request, TestContext.Current.CancellationToken);
        var second = await GenerationRuns.RunAsync(Engine, request, TestContext.Current.CancellationToken);

        Assert.Equal(first.Text, second.Text);
    }

    [Fact]
    public async Task GenerateAsync_MaxTokens_StopsThereWithLength()
    {
        var (_, stats, _) = await GenerationRuns.RunAsync(Engine, GenerationRuns.Greedy("Count.", maxTokens: 7), TestContext.Current.CancellationToken);

        Assert.Equal(7, stats.CompletionTokens);
        Assert.Equal(FinishReason.Length, stats.FinishReason);
        Assert.True(stats.PromptTokens > 0);
        Assert.Equal(Engine.CountPromptTokens(GenerationRuns.Greedy("Count.").Messages), stats.PromptTokens);
    }

    [Fact]
    public async Task GenerateAsync_StopString_CutsTextBeforeIt()
    {
        var reference = await GenerationRuns.RunAsync(Engine, GenerationRuns.Greedy("Stop somewhere.", 24), TestContext.Current.CancellationToken);
        Assert.True(reference.Text.Length > 12, $"reference too short: '{reference.Text}'");
        var stop = reference.Text.Substring(reference.Text.Length / 2, 3);

        var (text, stats, _) = await GenerationRuns.RunAsync(Engine, GenerationRuns.Greedy("Stop somewhere.", 24, [stop]), TestContext.Current.CancellationToken);

        Assert.Equal(reference.Text[..reference.Text.IndexOf(stop, StringComparison.Ordinal)], text);
        Assert.DoesNotContain(stop, text, StringComparison.Ordinal);
        Assert.Equal(FinishReason.Stop, stats.FinishReason);
    }

    [Fact]
    public async Task GenerateAsync_CancelledAfterFirstText_NoTokenAfterwards()
    {
        // The loop runs ahead of its reader: on a busy machine a tiny model's 64 tokens could all be made before the
        // reader sees the first. So the loop's first decode-only step waits (inside the engine's step timer) until the
        // reader has cancelled: what is asserted is what the engine does with a cancellation, not a race.
        var hold = new HoldFirstDecodeStep();
        var engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = fixture.TinyModelPath, ContextSize = 512 }, hold,
            ct: TestContext.Current.CancellationToken);
        await using (engine)
        {
            using var cancel = new CancellationTokenSource();
            var textUpdatesAfterCancel = 0;
            GenerationStats? stats = null;
            var cancelled = false;
            hold.Arm();
            await foreach (var update in engine.GenerateAsync(GenerationRuns.Greedy("Go on.", 64), cancel.Token))
            {
                if (update.Text.Length > 0 && cancelled)
                {
                    textUpdatesAfterCancel++;
                }

                if (update.Text.Length > 0 && !cancelled)
                {
                    await cancel.CancelAsync();
                    cancelled = true;
                    hold.Release();
                }

                stats = update.Completed ?? stats;
            }

            Assert.NotNull(stats);
            Assert.Equal(FinishReason.Cancelled, stats.FinishReason);
            Assert.Equal(0, textUpdatesAfterCancel);
            Assert.True(stats.CompletionTokens < 64, $"{stats.CompletionTokens} tokens");
        }
    }

    /// <summary>Once armed, holds the loop's first decode-only step (the reply's second token) until released (30 s at most).</summary>
    private sealed class HoldFirstDecodeStep : StepTimer
    {
        private readonly ManualResetEventSlim _released = new();
        private volatile bool _armed;

        public void Arm() => _armed = true;

        public void Release() => _released.Set();

        public override TimeSpan Elapsed(long started, int sequences, int promptTokens)
        {
            if (_armed && promptTokens == 0)
            {
                _armed = false;
                _released.Wait(TimeSpan.FromSeconds(30));
            }

            return base.Elapsed(started, sequences, promptTokens);
        }
    }

    [Fact]
    public async Task GenerateAsync_CancelledBeforeStart_EndsCancelledWithoutTokens()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        var (text, stats, _) = await GenerationRuns.RunAsync(Engine, GenerationRuns.Greedy("Never mind."), cancel.Token);

        Assert.Equal("", text);
        Assert.Equal(FinishReason.Cancelled, stats.FinishReason);
        Assert.Equal(0, stats.CompletionTokens);
    }

    [Fact]
    public async Task EvaluateOnlyAsync_CancelledDuringPrompt_AbortsInNativeCodeAndKeepsCacheConsistent()
    {
        var messages = GenerationRuns.Greedy(string.Join(' ', Enumerable.Repeat("a long prompt", 60))).Messages;
        var reference = await GenerationRuns.RunAsync(Engine, GenerationRuns.Greedy("After the abort.", 12), TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        // The first batch goes to llama.cpp, whose abort callback sees the cancellation.
        var completed = await Engine.EvaluateOnlyAsync(messages, null, cancel.Token);

        Assert.False(completed);
        var after = await GenerationRuns.RunAsync(Engine, GenerationRuns.Greedy("After the abort.", 12), TestContext.Current.CancellationToken);
        Assert.Equal(reference.Text, after.Text);
    }

    [Fact]
    public async Task GenerateAsync_PromptLongerThanContext_ThrowsPromptTooLong()
    {
        var request = GenerationRuns.Greedy(string.Join(' ', Enumerable.Repeat("word", Engine.ContextSize)));

        await Assert.ThrowsAsync<PromptTooLongException>(async () => await GenerationRuns.RunAsync(Engine, request, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task GenerateAsync_Stats_AreFilled()
    {
        var (_, stats, _) = await GenerationRuns.RunAsync(Engine, GenerationRuns.Greedy("Figures.", 8), TestContext.Current.CancellationToken);

        Assert.True(stats.TimeToFirstToken > TimeSpan.Zero);
        Assert.True(stats.PromptTokensPerSecond > 0);
        Assert.True(stats.DecodeTokensPerSecond > 0);
    }
}
