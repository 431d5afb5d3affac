using System.Diagnostics;
using System.Text;
using Frugal.Inference;
using Frugal.Scheduling;

namespace Frugal.Bench.Capacity;

/// <summary>
/// One user count of the capacity phase: every user chats in a session of their own through the server's
/// scheduler, a message after each exponential gap, and waits for the reply before the next gap.
/// </summary>
internal sealed class CapacitySimulation(IInferenceEngine engine, IGenerationScheduler scheduler, CapacityOptions options, string tag)
{
    private readonly List<double> _ttft = [];
    private readonly List<double> _rates = [];
    private readonly List<double> _queued = [];
    private int _leastLimit = int.MaxValue;
    private int _refused;
    private int _streaming;
    private int _peakStreams;

    /// <summary>Runs <paramref name="users"/> users for the window and summarizes what they felt.</summary>
    public async Task<CapacityPoint> RunAsync(int users, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, users).Select(user => Task.Run(() => UserAsync(user, started, cancellationToken), cancellationToken))).ConfigureAwait(false);
        lock (_ttft)
        {
            var point = new CapacityPoint
            {
                Users = users,
                EquivalentUsers = options.EquivalentUsers(users),
                Turns = _ttft.Count,
                Refused = _refused,
                TtftP50Seconds = Percentile(_ttft, 50),
                TtftP95Seconds = Percentile(_ttft, 95),
                TtftMaxSeconds = _ttft.Count > 0 ? _ttft.Max() : 0,
                RateP5 = Percentile(_rates, 5),
                RateP50 = Percentile(_rates, 50),
                PeakStreams = _peakStreams,
                QueueP95Seconds = Percentile(_queued, 95),
                LeastStreamLimit = _leastLimit == int.MaxValue ? 0 : _leastLimit,
            };
            progress.Report($"{tag} {users} users: {point.Turns} turns, {point.Refused} refused, time to first token p50 {point.TtftP50Seconds:F2} s p95 {point.TtftP95Seconds:F2} s max {point.TtftMaxSeconds:F2} s, stream rate p5 {point.RateP5:F1} p50 {point.RateP50:F1} tok/s, up to {point.PeakStreams} streaming (stream limit at least {point.LeastStreamLimit}, queue wait p95 {point.QueueP95Seconds:F2} s){(point.MeetsTarget ? ": meets the target" : string.Empty)}");
            return point;
        }
    }

    /// <summary>Drops the oldest exchanges while the prompt and a reply would fill more than three quarters of the context (as a history window would).</summary>
    internal static void KeepWithinContext(IInferenceEngine engine, List<ChatTurn> history, int replyTokens)
    {
        while (history.Count > 2 && engine.CountPromptTokens(history) + replyTokens > engine.ContextSize * 3 / 4)
        {
            history.RemoveRange(0, 2);
        }
    }

    /// <summary>Nearest-rank percentile (0 for no values).</summary>
    internal static double Percentile(IReadOnlyList<double> values, double percent)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private async Task UserAsync(int user, long started, CancellationToken cancellationToken)
    {
        var random = new Random(1000 + user);
        var history = new List<ChatTurn>();
        for (var turn = 0; ; turn++)
        {
            var gap = TimeSpan.FromSeconds(-Math.Log(1 - random.NextDouble()) * options.RunMeanGap.TotalSeconds);
            if (Stopwatch.GetElapsedTime(started) + gap >= options.RunWindow)
            {
                return; // the message would come after the window: not sent (and not waited for)
            }

            await Task.Delay(gap, cancellationToken).ConfigureAwait(false);

            history.Add(new ChatTurn(ChatRole.User, BenchText.OfTokens(options.MessageTokens, (100 * user) + turn, engine.CountTokens)));
            KeepWithinContext(engine, history, options.ReplyTokens);
            var request = BenchTurn.Request([.. history], options.ReplyTokens, $"capacity-{tag}-{user}");
            var reply = await TurnAsync($"user{user}", request, cancellationToken).ConfigureAwait(false);
            if (reply is null)
            {
                history.RemoveAt(history.Count - 1);
                continue;
            }

            history.Add(new ChatTurn(ChatRole.Assistant, reply));
        }
    }

    private async Task<string?> TurnAsync(string user, GenerationRequest request, CancellationToken cancellationToken)
    {
        var sent = Stopwatch.GetTimestamp();
        var limit = engine.StreamLimit;
        var text = new StringBuilder();
        double? ttft = null;
        GenerationStats? stats = null;
        try
        {
            await foreach (var update in scheduler.RunAsync(user, request, cancellationToken).ConfigureAwait(false))
            {
                if (ttft is null && update.Text.Length > 0)
                {
                    ttft = Stopwatch.GetElapsedTime(sent).TotalSeconds;
                    var now = Interlocked.Increment(ref _streaming);
                    lock (_ttft)
                    {
                        _peakStreams = Math.Max(_peakStreams, now);
                    }
                }

                text.Append(update.Text);
                stats = update.Completed ?? stats;
            }
        }
        catch (QueueFullException)
        {
            Interlocked.Increment(ref _refused);
            return null;
        }
        finally
        {
            if (ttft is not null)
            {
                Interlocked.Decrement(ref _streaming);
            }
        }

        lock (_ttft)
        {
            _ttft.Add(ttft ?? Stopwatch.GetElapsedTime(sent).TotalSeconds);
            _rates.Add(stats?.DecodeTokensPerSecond ?? 0);
            _queued.Add(Math.Max(0, (ttft ?? 0) - (stats?.TimeToFirstToken.TotalSeconds ?? 0)));
            _leastLimit = Math.Min(_leastLimit, limit);
        }

        return text.ToString();
    }
}
