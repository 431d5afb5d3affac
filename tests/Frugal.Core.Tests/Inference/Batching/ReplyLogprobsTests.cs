using System.Text;
using Frugal.Inference;
using Frugal.Requests;

namespace Frugal.Tests.Inference.Batching;

/// <summary>
/// Log probabilities read in the decode loop on the real engine (one slot and two): the chosen token's, in the
/// distribution it was drawn from, with the most likely ones; asking for them never changes the reply.
/// </summary>
public sealed class ReplyLogprobsTests
{
    public static TheoryData<int> Slots => [1, 2];

    [Theory]
    [MemberData(nameof(Slots))]
    public async Task GenerateAsync_GreedyWithLogprobs_ChosenTokenIsTheTopEntryAndTheReplyIsUnchanged(int slots)
    {
        await using var engine = await LoadAsync(slots);
        var plain = GenerationRuns.Greedy("Tell me about boats.", maxTokens: 16);

        var without = await GenerationRuns.RunAsync(engine, plain, TestContext.Current.CancellationToken);
        var (text, stats, entries) = await RunAsync(engine, plain with { Logprobs = 5 });

        Assert.Equal(without.Text, text);
        Assert.Equal(16, stats.CompletionTokens);
        Assert.InRange(entries.Count, 1, stats.CompletionTokens);
        Assert.All(entries, entry =>
        {
            Assert.InRange(entry.Logprob, double.MinValue, 0);
            Assert.Equal(5, entry.Top.Count);
            Assert.Equal(entry.Top[0].Logprob, entry.Logprob);
            Assert.Equal(entry.Top[0].Bytes, entry.Bytes);
            Assert.Equal(entry.Top.Select(t => t.Logprob).OrderDescending(), entry.Top.Select(t => t.Logprob));
            Assert.InRange(entry.Top.Sum(t => Math.Exp(t.Logprob)), 0, 1 + 1e-6);
        });
        Assert.StartsWith(Encoding.UTF8.GetString([.. entries.SelectMany(e => e.Bytes)]).TrimEnd('\uFFFD'), text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Slots))]
    public async Task GenerateAsync_SampledWithLogprobs_EntriesComeFromTheCutDistributionAndTheReplyIsUnchanged(int slots)
    {
        await using var engine = await LoadAsync(slots);
        var sampled = GenerationRuns.Greedy("Name a colour.", maxTokens: 12) with
        {
            Sampling = SamplingOptions.Default with { Temperature = 1f, TopK = 3, Seed = 11 },
        };

        var without = await GenerationRuns.RunAsync(engine, sampled, TestContext.Current.CancellationToken);
        var (text, _, entries) = await RunAsync(engine, sampled with { Logprobs = 20 });

        Assert.Equal(without.Text, text);
        Assert.NotEmpty(entries);
        Assert.All(entries, entry =>
        {
            // top_k 3 leaves three candidates: the distribution sampled from has three tokens, the chosen among them.
            Assert.Equal(3, entry.Top.Count);
            Assert.Contains(entry.Top, t => t.Bytes.SequenceEqual(entry.Bytes) && t.Logprob == entry.Logprob);
            Assert.Equal(1, entry.Top.Sum(t => Math.Exp(t.Logprob)), 1e-5);
        });
    }

    [Fact]
    public async Task GenerateAsync_GrammarWithLogprobs_EntriesSpellTheConstrainedReply()
    {
        await using var engine = await LoadAsync(2);
        var request = GenerationRuns.Greedy("A person as JSON.", maxTokens: 48) with
        {
            Grammar = JsonOutput.Grammar(null, "response_format"),
            StopAtEndOfSequence = true,
            Sampling = SamplingOptions.Default with { Seed = 5 },
            Logprobs = 2,
        };

        var (text, _, entries) = await RunAsync(engine, request);

        Assert.Equal(text, Encoding.UTF8.GetString([.. entries.SelectMany(e => e.Bytes)]));
        Assert.All(entries, entry =>
        {
            Assert.InRange(entry.Logprob, -9999, 0);
            Assert.InRange(entry.Top.Count, 1, 2);
            Assert.True(entry.Top[0].Logprob >= entry.Logprob);
        });
    }

    private static async Task<LlamaEngine> LoadAsync(int slots) =>
        await LlamaEngine.LoadAsync(TestModels.EngineOptionsFor(TestModels.TinyRandomName, contextSize: 512) with { ParallelSequences = slots });

    private static async Task<(string Text, GenerationStats Stats, List<TokenLogprob> Entries)> RunAsync(IInferenceEngine engine, GenerationRequest request)
    {
        var text = new StringBuilder();
        var entries = new List<TokenLogprob>();
        GenerationStats? stats = null;
        await foreach (var update in engine.GenerateAsync(request, TestContext.Current.CancellationToken))
        {
            text.Append(update.Text);
            Assert.Equal(update.Text.Length > 0, update.Logprobs is not null); // entries travel with their text
            entries.AddRange(update.Logprobs ?? []);
            stats = update.Completed ?? stats;
        }

        return (text.ToString(), stats!, entries);
    }
}
