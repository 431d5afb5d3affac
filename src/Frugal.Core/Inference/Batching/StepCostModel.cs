namespace Frugal.Inference.Batching;

/// <summary>
/// What one decode step of n streams costs: the start-up measurement at first, then live decode-only steps
/// of the loop (smoothed), and for a count not yet seen live, its start-up figure scaled by how the live
/// steps compare with theirs (the box may be slower now than while it measured). Written by the loop's
/// thread, read by any.
/// </summary>
internal sealed class StepCostModel
{
    private const double Smoothing = 0.2; // weight of the newest live step: a few dozen steps follow a change
    private readonly Lock _lock = new();
    private readonly double?[] _measured;
    private readonly double?[] _live;

    /// <param name="slots">The most streams there can be.</param>
    /// <param name="measurement">The start-up measurement, or null (then only live steps count).</param>
    public StepCostModel(int slots, ParallelMeasurement? measurement)
    {
        _measured = new double?[slots];
        _live = new double?[slots];
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
            _live[streams - 1] = _live[streams - 1] is { } old ? (old * (1 - Smoothing)) + (seconds * Smoothing) : seconds;
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
            if (_live[streams - 1] is { } live)
            {
                return TimeSpan.FromSeconds(live);
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
                    if (n >= 1 && n <= _live.Length && _live[n - 1] is { } l && _measured[n - 1] is { } m && m > 0)
                    {
                        return TimeSpan.FromSeconds(measured * l / m);
                    }
                }
            }

            return TimeSpan.FromSeconds(measured);
        }
    }

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
