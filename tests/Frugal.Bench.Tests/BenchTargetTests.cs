namespace Frugal.Bench.Tests;

/// <summary>Issue 5's targets checked against a bench report.</summary>
public sealed class BenchTargetTests
{
    [Fact]
    public void Evaluate_MixedFigures_SaysWhichTargetsAreMetAndShowsTheFloor()
    {
        var report = Report(promptRatio: 0.98, singleTtft: [1000, 1600], followUps: new PairedFollowUps([1000, 1600], [1000, 1700]));

        var targets = BenchTarget.Evaluate(report).ToDictionary(t => t.Name);

        Assert.True(targets["prompt tokens/s vs plain LLamaSharp"].Met);
        Assert.False(targets["decode tokens/s vs plain LLamaSharp"].Met);
        var ttft = targets["TTFT last turn / first turn, one session"];
        Assert.False(ttft.Met);
        Assert.Equal("1.60x (plain LLamaSharp, same work: 1.70x)", ttft.Measured);
        Assert.True(targets["TTFT last turn / first turn, interleaved (worst session)"].Met);
        Assert.False(targets["aggregate decode, 4 clients / 1"].Met);
        Assert.True(targets["peak memory at context 2048"].Met);
    }

    [Fact]
    public void Evaluate_NoPairedFollowUps_ShowsTheRatioAlone()
    {
        var report = Report(promptRatio: 0.9, singleTtft: [1000, 1400], followUps: null);

        var ttft = BenchTarget.Evaluate(report).Single(t => t.Name == "TTFT last turn / first turn, one session");

        Assert.True(ttft.Met);
        Assert.Equal("1.40x", ttft.Measured);
    }

    [Theory]
    [InlineData(0.85, false)]
    [InlineData(0.95, true)]
    public void Evaluate_GrammarFigures_RatioCheckedAgainstNinetyPercent(double ratio, bool met)
    {
        var report = Report(promptRatio: 1, singleTtft: [1000, 1000], followUps: null) with { Grammar = new GrammarFigures(10, 10 * ratio, ratio) };

        var grammar = BenchTarget.Evaluate(report).Single(t => t.Name == "decode tokens/s with a JSON-schema grammar vs without");

        Assert.Equal(met, grammar.Met);
    }

    [Fact]
    public void Evaluate_QuickProfileWithoutChats_LeavesOutTheChatTargetsInsteadOfFailingThem()
    {
        var report = Report(promptRatio: 1, singleTtft: [], followUps: null) with
        {
            Options = new BenchOptions { ModelPath = "model.gguf" }.AsQuickProfile(),
            TtftInterleavedMs = [],
            CachedTokensInterleaved = [],
            AggregateDecodeTokensPerSecond = new Dictionary<int, double>(),
            BatchedDecodeTokensPerSecond = new Dictionary<int, double>(),
        };

        var names = BenchTarget.Evaluate(report).Select(t => t.Name).ToArray();
        var markdown = BenchReportMarkdown.Write(report);

        Assert.DoesNotContain(names, n => n.StartsWith("TTFT", StringComparison.Ordinal));
        Assert.Contains("prompt tokens/s vs plain LLamaSharp", names);
        Assert.DoesNotContain("NaN", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("Time to first token per turn", markdown, StringComparison.Ordinal);
        Assert.Contains("no chats; no concurrent clients", markdown, StringComparison.Ordinal);
    }

    internal static BenchReport Report(double promptRatio, IReadOnlyList<double> singleTtft, PairedFollowUps? followUps) => new()
    {
        Date = DateTimeOffset.UnixEpoch,
        Options = new BenchOptions { ModelPath = "model.gguf" },
        Machine = "test",
        ModelPath = "model.gguf",
        ModelDescription = "llama",
        ContextSize = 2048,
        Threads = 1,
        ClientPath = "engine",
        LoadMs = 100,
        PromptTokensPerSecond = 40,
        DecodeTokensPerSecond = 10,
        Baseline = new BenchBaseline(100, 40, 11) { PromptRatio = promptRatio, DecodeRatio = 0.9, FollowUps = followUps },
        TtftSingleMs = singleTtft,
        TtftInterleavedMs = [[1000, 1450], [1000, 1300]],
        CachedTokensSingle = [0, 100],
        CachedTokensInterleaved = [[0, 100], [0, 100]],
        AggregateDecodeTokensPerSecond = new Dictionary<int, double> { [1] = 10, [4] = 12 },
        BatchedDecodeTokensPerSecond = new Dictionary<int, double> { [1] = 10, [4] = 16 },
        PeakMemoryBytes = 1_300L * 1024 * 1024,
        PeakAnonymousBytes = 128L * 1024 * 1024,
        PeakFileBytes = 1_160L * 1024 * 1024,
        PeakMemorySource = "cgroup",
    };
}
