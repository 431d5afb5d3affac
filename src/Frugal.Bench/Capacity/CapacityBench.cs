using System.Globalization;
using Frugal.Inference;
using Frugal.Scheduling;
using Microsoft.Extensions.Options;

namespace Frugal.Bench.Capacity;

/// <summary>
/// <c>frugal bench --capacity</c>: how many users one box serves with replies that start within 3 s and stream at
/// 6 tokens/s or more, under the latency policy (<c>frugal serve</c>'s default: streams chosen at start for the
/// floor rate, chunked prefill) and the one-sequence policy, one after the other in the same run.
/// </summary>
public sealed class CapacityBench
{
    private readonly CapacityOptions _options;
    private readonly IReadOnlyList<(string Policy, Func<CancellationToken, Task<IInferenceEngine>> Load)> _policies;
    private readonly IProgress<string> _progress;

    /// <param name="options">The simulated users.</param>
    /// <param name="policies">Each policy's name and how to load its engine (a fresh engine per policy).</param>
    /// <param name="progress">Receives one line per step.</param>
    public CapacityBench(CapacityOptions options, IReadOnlyList<(string Policy, Func<CancellationToken, Task<IInferenceEngine>> Load)> policies,
        IProgress<string> progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(progress);
        _options = options;
        _policies = policies;
        _progress = progress;
    }

    /// <summary>Runs one user alone under every policy in alternating rounds, then every policy at every user count.</summary>
    public async Task<CapacityReport> RunAsync(string model, CancellationToken cancellationToken)
    {
        var alone = await AloneRoundsAsync(cancellationToken).ConfigureAwait(false);
        var results = new List<CapacityPolicyResult>();
        foreach (var (policy, load) in _policies)
        {
            var engine = await load(cancellationToken).ConfigureAwait(false);
            await using (engine.ConfigureAwait(false))
            {
                results.Add(await RunPolicyAsync(policy, engine, alone[policy], cancellationToken).ConfigureAwait(false));
            }
        }

        return new CapacityReport
        {
            Date = DateTimeOffset.UtcNow,
            Machine = MachineDescription.Read(),
            Model = model,
            Options = _options,
            Policies = results,
            AloneTtftRatios = RoundRatios(alone, r => 1 / r.Ttft),
            AloneDecodeRatios = RoundRatios(alone, r => r.Decode),
        };
    }

    /// <summary>
    /// One user alone, <see cref="CapacityOptions.AloneRounds"/> rounds, each loading every policy's engine in turn
    /// (the order reversed every other round), so the single-user comparison is not skewed by the machine's drift;
    /// after a warm-up round that is not counted (the process's first engine ran slower in either order: its
    /// code was still being compiled).
    /// </summary>
    private async Task<Dictionary<string, List<(double Ttft, double Decode)>>> AloneRoundsAsync(CancellationToken cancellationToken)
    {
        var rounds = _policies.ToDictionary(p => p.Policy, _ => new List<(double Ttft, double Decode)>());
        for (var round = 0; round <= _options.AloneRounds; round++)
        {
            foreach (var (policy, load) in round % 2 == 1 ? _policies : _policies.Reverse())
            {
                var engine = await load(cancellationToken).ConfigureAwait(false);
                await using (engine.ConfigureAwait(false))
                {
                    var figures = await AloneAsync($"{policy}-{round}", engine, cancellationToken).ConfigureAwait(false);
                    var name = round == 0 ? "warm-up (not counted)" : $"round {round}";
                    _progress.Report($"{policy} one user alone, {name}: time to first token {figures.Ttft:F2} s, decode {figures.Decode:F1} tok/s (medians of {_options.AloneTurns} turns)");
                    if (round > 0)
                    {
                        rounds[policy].Add(figures);
                    }
                }
            }
        }

        return rounds;
    }

    // The first policy's figure over the second's, round by round.
    private List<double> RoundRatios(Dictionary<string, List<(double Ttft, double Decode)>> alone, Func<(double Ttft, double Decode), double> figure) =>
        _policies.Count != 2
            ? []
            : [.. alone[_policies[0].Policy].Zip(alone[_policies[1].Policy], (a, b) => figure(b) > 0 ? figure(a) / figure(b) : 0)];

    private async Task<CapacityPolicyResult> RunPolicyAsync(string policy, IInferenceEngine engine, List<(double Ttft, double Decode)> alone,
        CancellationToken cancellationToken)
    {
        var settings = Describe(engine);
        _progress.Report($"{policy}: {settings}");
        var ttft = BenchRunner.Median([.. alone.Select(r => r.Ttft)]);
        var decode = BenchRunner.Median([.. alone.Select(r => r.Decode)]);
        var points = new List<CapacityPoint>();
        foreach (var users in _options.UserCounts)
        {
            // A scheduler per count: the queue and its timings start empty; the engine (and its kept states) go on.
            var scheduler = new GenerationScheduler(engine, Options.Create(new SchedulerOptions { MaxQueueDepth = SchedulerOptions.DefaultMaxQueueDepth }));
            points.Add(await new CapacitySimulation(engine, scheduler, _options, $"{policy}-{users}").RunAsync(users, _progress, cancellationToken).ConfigureAwait(false));
        }

        return new CapacityPolicyResult
        {
            Policy = policy,
            Settings = settings,
            AloneTtftSeconds = ttft,
            AloneDecodeTokensPerSecond = decode,
            Points = points,
        };
    }

    /// <summary>One user's turns back to back, alone: medians of time to first token and decode rate.</summary>
    private async Task<(double Ttft, double Decode)> AloneAsync(string policy, IInferenceEngine engine, CancellationToken cancellationToken)
    {
        var history = new List<ChatTurn>();
        var ttft = new List<double>();
        var decode = new List<double>();
        for (var turn = 0; turn < _options.AloneTurns; turn++)
        {
            history.Add(new ChatTurn(ChatRole.User, BenchText.OfTokens(_options.MessageTokens, 90_000 + turn, engine.CountTokens)));
            CapacitySimulation.KeepWithinContext(engine, history, _options.ReplyTokens);
            var request = BenchTurn.Request([.. history], _options.ReplyTokens, $"capacity-alone-{policy}");
            var (reply, stats) = await BenchTurn.RunAsync(engine, request, cancellationToken).ConfigureAwait(false);
            history.Add(new ChatTurn(ChatRole.Assistant, reply));
            ttft.Add(stats.TimeToFirstToken.TotalSeconds);
            decode.Add(stats.DecodeTokensPerSecond);
        }

        return (BenchRunner.Median(ttft), BenchRunner.Median(decode));
    }

    private static string Pacing(int horizon) =>
        horizon > 0 ? string.Create(CultureInfo.InvariantCulture, $"paced over {horizon} reply tokens") : "unpaced";

    private static string Describe(IInferenceEngine engine) => engine is LlamaEngine llama
        ? string.Create(CultureInfo.InvariantCulture,
            $"{llama.ParallelSequences} stream(s)") + (llama.ParallelSequences > 1
            ? string.Create(CultureInfo.InvariantCulture, $", prompt chunk {llama.PrefillChunkTokens} tokens beside running replies ({Pacing(llama.PrefillHorizonTokens)}), floor {llama.StreamFloorTokensPerSecond:0.##} tok/s")
            : ", each request waits for the one before it")
            + (llama.ParallelMeasurement is { } m ? "; measured at start: " + m.Describe() : string.Empty)
        : $"{engine.ParallelSequences} stream(s)";
}
