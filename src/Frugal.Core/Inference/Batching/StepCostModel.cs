namespace Frugal.Inference.Batching;

/// <summary>
/// What one decode step of n streams costs: the start-up measurement at first, then live decode-only steps
/// of the loop (smoothed), and for a count not yet seen live, its start-up figure scaled by how the live
/// steps compare with theirs (the box may be slower now than while it measured). Written by the loop's
/// thread, read by any.
/// A live figure the loop has not refreshed in <see cref="StaleAfterSteps"/> steps is forgotten: the limit it
/// set keeps that many streams from running, so nothing else could ever correct it (one slow step of 2
/// streams once held a box to one stream for good). And one step moves a figure at most twofold, so a single
/// hiccup (a page fault, the first step of a new batch shape) does not close the door for the next steps.
/// </summary>
internal sealed class StepCostModel
{
    /// <summary>Steps (of any count) after which a count's live figure, not refreshed since, is forgotten.</summary>
    public const int StaleAfterSteps = 200;

    private const double Smoothing = 0.2; // weight of the newest live step: a few dozen steps follow a change
    private const double MostGrowthPerStep = 2; // a step is booked at most at twice the estimate it had
    private readonly Lock _lock = new();
    private readonly double?[] _measured;
    private readonly double?[] _live;
    private readonly long[] _seenAt; // per count: the step number of its last live figure
    private long _steps;
    private double? _promptToken; // live: seconds one prompt token adds to a step

    /// <param name="slots">The most streams there can be.</param>
    /// <param name="measurement">The start-up measurement, or null (then only live steps count).</param>
    public StepCostModel(int slots, ParallelMeasurement? measurement)
    {
        _measured = new double?[slots];
        _live = new double?[slots];
        _seenAt = new long[slots];
        for (var n = 1; measurement is not null && n <= Math.Min(slots, measurement.Candidate); n++)
        {
            _measured[n - 1] = measurement.StepCosts[n - 1].TotalSeconds;
        }
    }

    /// <summary>Books a decode-only step of <paramref name="streams"/> streams that took <paramref name="elapsed"/>.</summary>
    public void Record(int streams, TimeSpan elapsed)
    {
        if (streams < 1 || streams > _live.Length)
        {
            return;
        }

        lock (_lock)
        {
            var seconds = elapsed.TotalSeconds;
            if (EstimateSeconds(streams) is { } estimate)
            {
                seconds = Math.Min(seconds, estimate * MostGrowthPerStep);
            }

            _live[streams - 1] = Live(streams) is { } old ? (old * (1 - Smoothing)) + (seconds * Smoothing) : seconds;
            _seenAt[streams - 1] = ++_steps;
        }
    }

    /// <summary>
    /// Books a step that evaluated <paramref name="promptTokens"/> prompt tokens beside the tokens of
    /// <paramref name="streams"/> decoding streams (0: a prompt-only step): what the prompt tokens added over the
    /// estimated decode step, per token, smoothed like the decode figures.
    /// </summary>
    public void RecordPrefill(int streams, int promptTokens, TimeSpan elapsed)
    {
        if (promptTokens < 1 || streams < 0 || streams > _live.Length)
        {
            return;
        }

        lock (_lock)
        {
            var decode = streams > 0 ? EstimateSeconds(streams) ?? 0 : 0;
            var perToken = Math.Max(0, elapsed.TotalSeconds - decode) / promptTokens;
            if (_promptToken is { } old)
            {
                perToken = Math.Min(perToken, old * MostGrowthPerStep);
                _promptToken = (old * (1 - Smoothing)) + (perToken * Smoothing);
            }
            else
            {
                _promptToken = perToken;
            }
        }
    }

    /// <summary>What one prompt token adds to a step (from live steps that carried prompt tokens); null before the first.</summary>
    public TimeSpan? PromptToken
    {
        get
        {
            lock (_lock)
            {
                return _promptToken is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
            }
        }
    }

    /// <summary>The estimated cost of a decode step of <paramref name="streams"/> streams; null when nothing tells.</summary>
    public TimeSpan? Estimate(int streams)
    {
        if (streams < 1 || streams > _live.Length)
        {
            return null;
        }

        lock (_lock)
        {
            return EstimateSeconds(streams) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
        }
    }

    // Under _lock.
    private double? EstimateSeconds(int streams)
    {
        if (Live(streams) is { } live)
        {
            return live;
        }

        if (_measured[streams - 1] is not { } measured)
        {
            return null;
        }

        // The nearest count seen both live and at start says how the box compares with then.
        for (var distance = 1; distance < _live.Length; distance++)
        {
            foreach (var n in (ReadOnlySpan<int>)[streams - distance, streams + distance])
            {
                if (n >= 1 && n <= _live.Length && Live(n) is { } l && _measured[n - 1] is { } m && m > 0)
                {
                    return measured * l / m;
                }
            }
        }

        return measured;
    }

    // Under _lock: the live figure of a count, unless it is stale.
    private double? Live(int streams) =>
        _live[streams - 1] is { } live && _steps - _seenAt[streams - 1] < StaleAfterSteps ? live : null;

    /// <summary>
    /// The most streams (1 … the slots) whose decode step keeps each at or above <paramref name="floorTokensPerSecond"/>.
    /// A step of more streams never costs less than one of fewer, so a count nothing tells about yet is judged
    /// by the dearest known step of fewer streams (and allowed when none is known).
    /// </summary>
    public int StreamsAbove(double floorTokensPerSecond)
    {
        var streams = 1;
        var dearest = Estimate(1)?.TotalSeconds ?? 0;
        for (var n = 2; n <= _live.Length; n++)
        {
            dearest = Math.Max(dearest, Estimate(n)?.TotalSeconds ?? 0);
            if (dearest * floorTokensPerSecond > 1)
            {
                break;
            }

            streams = n;
        }

        return streams;
    }
}
