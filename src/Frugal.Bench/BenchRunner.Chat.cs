using System.Diagnostics;
using Frugal.Inference;
using Frugal.Scheduling;

namespace Frugal.Bench;

public sealed partial class BenchRunner
{
    /// <summary>Times to first token (ms) and prompt tokens served from kept state, per session and turn.</summary>
    private sealed record ChatFigures(IReadOnlyList<IReadOnlyList<double>> Ttft, IReadOnlyList<IReadOnlyList<int>> Cached)
    {
        /// <summary>Per session and turn, the median over <paramref name="rounds"/> (kept tokens: the fewest, the least favourable).</summary>
        public static ChatFigures Median(IReadOnlyList<ChatFigures> rounds)
        {
            if (rounds.Count == 0)
            {
                return new ChatFigures([[]], [[]]);
            }

            var sessions = rounds[0].Ttft.Count;
            var turns = rounds[0].Ttft[0].Count;
            var ttft = Enumerable.Range(0, sessions)
                .Select(s => (IReadOnlyList<double>)[.. Enumerable.Range(0, turns).Select(t => BenchRunner.Median(rounds.Select(r => r.Ttft[s][t])))])
                .ToArray();
            var cached = Enumerable.Range(0, sessions)
                .Select(s => (IReadOnlyList<int>)[.. Enumerable.Range(0, turns).Select(t => rounds.Min(r => r.Cached[s][t]))])
                .ToArray();
            return new ChatFigures(ttft, cached);
        }
    }

    /// <summary>
    /// A chat of <see cref="BenchOptions.Turns"/> turns for each of <paramref name="sessions"/> sessions taking
    /// turns (A1 B1 C1 A2 ...), each through its own session key so the engine can keep or restore its KV state;
    /// <paramref name="afterTurn"/>, when given, is called with each turn's figures before the next turn starts.
    /// </summary>
    private async Task<ChatFigures> ChatAsync(IInferenceEngine engine, int sessions, string name, int round, CancellationToken cancellationToken,
        Action<GenerationStats>? afterTurn = null)
    {
        // Seeds differ between the single and the interleaved chats, so no chat starts with another's words.
        var histories = Enumerable.Range(0, sessions).Select(_ => new List<ChatTurn>()).ToArray();
        var ttft = Enumerable.Range(0, sessions).Select(_ => new List<double>()).ToArray();
        var cached = Enumerable.Range(0, sessions).Select(_ => new List<int>()).ToArray();
        for (var turn = 0; turn < _options.Turns; turn++)
        {
            for (var session = 0; session < sessions; session++)
            {
                var history = histories[session];
                history.Add(new ChatTurn(ChatRole.User, BenchText.OfTokens(_options.UserTokensPerTurn, (10000 * round) + (1000 * (session + 1)) + (100 * sessions) + turn, engine.CountTokens)));
                var request = BenchTurn.Request([.. history], _options.ReplyTokensPerTurn, $"bench-{name}-{round}-{session}");
                var (reply, stats) = await BenchTurn.RunAsync(engine, request, cancellationToken).ConfigureAwait(false);

                history.Add(new ChatTurn(ChatRole.Assistant, reply));
                ttft[session].Add(stats.TimeToFirstToken.TotalMilliseconds);
                cached[session].Add(stats.CachedPromptTokens);
                _progress.Report($"{name} round {round + 1} session {session + 1} turn {turn + 1}: {stats.PromptTokens} prompt tokens ({stats.CachedPromptTokens} kept), time to first token {stats.TimeToFirstToken.TotalMilliseconds:F0} ms, then {stats.DecodeTokensPerSecond:F1} tok/s");
                afterTurn?.Invoke(stats);
            }
        }

        return new ChatFigures(ttft, cached);
    }

    /// <summary>
    /// One more chat alone, each of Frugal's turns followed at once by plain LLamaSharp reusing its own cache
    /// for the same number of new tokens after the same number of kept ones: per turn, both times to first
    /// token measured back to back, so their ratio is not swayed by the machine's load drifting during the run.
    /// </summary>
    private async Task<PairedFollowUps> PairedFollowUpsAsync(IInferenceEngine engine, PlainLlamaSharpBaseline baseline, CancellationToken cancellationToken)
    {
        // The baseline's conversation: one stream of tokens, its first `kept` for a turn's kept part.
        var stream = Fit(baseline.Tokenize(BenchText.OfTokens(engine.ContextSize, 950, engine.CountTokens)), engine.ContextSize);
        var frugal = new List<double>();
        var plain = new List<double>();
        await ChatAsync(engine, 1, "paired", _options.ChatRounds, cancellationToken, stats =>
        {
            var kept = stats.CachedPromptTokens;
            var added = stats.PromptTokens - kept;
            frugal.Add(stats.TimeToFirstToken.TotalMilliseconds);
            plain.Add(baseline.MeasureFollowUp(stream[..kept], stream[kept..(kept + added)]));
            _progress.Report($"paired turn {frugal.Count}: plain LLamaSharp {plain[^1]:F0} ms for {added} new tokens after {kept} kept");
        }).ConfigureAwait(false);
        return new PairedFollowUps(frugal, plain);
    }

    /// <summary>Aggregate decode tokens per second of N clients asking at once, for each N of <see cref="BenchOptions.ClientCounts"/>.</summary>
    private async Task<IReadOnlyDictionary<int, double>> ClientsAsync(IInferenceEngine engine, CancellationToken cancellationToken)
    {
        var scheduler = _createScheduler?.Invoke(engine);
        var results = new SortedDictionary<int, double>();
        foreach (var clients in _options.ClientCounts)
        {
            var started = Stopwatch.GetTimestamp();
            var tokens = await Task.WhenAll(Enumerable.Range(0, clients).Select(client =>
            {
                var request = Request(BenchText.OfTokens(12, 2000 + (100 * clients) + client, engine.CountTokens), _options.ClientTokens);
                return scheduler is null
                    ? DirectAsync(engine, request, cancellationToken)
                    : ScheduledAsync(scheduler, $"bench-client-{client}", request, cancellationToken);
            })).ConfigureAwait(false);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            results[clients] = tokens.Sum() / seconds;
            _progress.Report($"{clients} concurrent clients: {tokens.Sum()} tokens in {seconds:F1} s, {results[clients]:F1} tok/s together");
        }

        return results;
    }

    private static async Task<int> DirectAsync(IInferenceEngine engine, GenerationRequest request, CancellationToken cancellationToken) =>
        (await GenerateAsync(engine, request, cancellationToken).ConfigureAwait(false)).CompletionTokens;

    private static async Task<int> ScheduledAsync(IGenerationScheduler scheduler, string user, GenerationRequest request, CancellationToken cancellationToken)
    {
        GenerationStats? stats = null;
        await foreach (var update in scheduler.RunAsync(user, request, cancellationToken).ConfigureAwait(false))
        {
            stats = update.Completed ?? stats;
        }

        return stats?.CompletionTokens ?? throw new InvalidOperationException("the scheduler ended a generation without its figures");
    }
}
