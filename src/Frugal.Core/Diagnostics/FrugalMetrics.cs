using System.Diagnostics;
using System.Diagnostics.Metrics;
using Frugal.Inference;
using Frugal.Memory;

namespace Frugal.Diagnostics;

/// <summary>
/// Frugal's instruments (meter <see cref="MeterName"/>): generations and their tokens, time to first
/// token, prompt and decode rates, the queue, and memory gauges. Also keeps smoothed recent rates for
/// <c>/status</c>. Thread-safe.
/// </summary>
public sealed class FrugalMetrics : IDisposable
{
    /// <summary>The name of the meter every Frugal instrument belongs to.</summary>
    public const string MeterName = "Frugal";

    private static readonly double[] SecondsBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
    private static readonly double[] RateBuckets = [1, 2, 5, 10, 15, 20, 30, 50, 100, 200, 500, 1000];
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _generations;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _completionTokens;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _userLimitRejections;
    private readonly UpDownCounter<long> _queueDepth;
    private readonly UpDownCounter<long> _activeGenerations;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _promptRate;
    private readonly Histogram<double> _decodeRate;
    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _requestDuration;
    private readonly Lock _lock = new();
    private double? _recentPromptRate;
    private double? _recentDecodeRate;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (or a meter of its own when null).</summary>
    /// <param name="meterFactory">The host's meter factory, so that a collector can tell this host's instruments apart.</param>
    /// <param name="memory">Where the memory gauges read from; null leaves them out.</param>
    /// <param name="readiness">Where the stream gauges read the engine's streams from; null leaves them out.</param>
    public FrugalMetrics(IMeterFactory? meterFactory = null, IMemoryProbe? memory = null, EngineReadiness? readiness = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _generations = _meter.CreateCounter<long>("frugal.generations", "{generation}", "Finished generations by finish reason.");
        _promptTokens = _meter.CreateCounter<long>("frugal.prompt_tokens", "{token}", "Prompt tokens read (cached ones included).");
        _completionTokens = _meter.CreateCounter<long>("frugal.completion_tokens", "{token}", "Tokens generated.");
        _rejections = _meter.CreateCounter<long>("frugal.queue.rejections", "{request}", "Requests refused because the queue was full.");
        _userLimitRejections = _meter.CreateCounter<long>("frugal.user_limit.rejections", "{request}",
            "Requests refused (429) by their user's own limits: places in line (queue) or requests/tokens per minute (rate).");
        _queueDepth = _meter.CreateUpDownCounter<long>("frugal.queue.depth", "{request}", "Requests waiting for the inference worker.");
        _activeGenerations = _meter.CreateUpDownCounter<long>("frugal.generations.active", "{generation}", "Generations running now.");
        _timeToFirstToken = _meter.CreateHistogram("frugal.time_to_first_token", "s", "Time from the start of a generation to its first token.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _promptRate = _meter.CreateHistogram("frugal.prompt_tokens_per_second", "{token}/s", "Prompt evaluation speed of each generation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RateBuckets });
        _decodeRate = _meter.CreateHistogram("frugal.decode_tokens_per_second", "{token}/s", "Decode speed of each generation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RateBuckets });
        _queueWait = _meter.CreateHistogram("frugal.queue.wait", "s", "Time a request waited for the inference worker.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        // Gauges exist from the start (at 0), not only after the first request queues.
        _queueDepth.Add(0);
        _activeGenerations.Add(0);
        _requests = _meter.CreateCounter<long>("frugal.http.requests", "{request}", "HTTP requests by route, method and status.");
        _errors = _meter.CreateCounter<long>("frugal.http.errors", "{request}", "HTTP requests answered with a status of 400 or more, by route, method and status.");
        _requestDuration = _meter.CreateHistogram("frugal.http.request.duration", "s", "Time to answer an HTTP request (a streamed one until its last byte), by route.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        if (memory is not null)
        {
            _meter.CreateObservableGauge("frugal.memory.limit", () => memory.Read().LimitBytes, "By", "Memory limit (cgroup, else physical).");
            _meter.CreateObservableGauge("frugal.memory.used", () => memory.Read().UsageBytes, "By", "Memory charged against the limit, page cache included.");
            _meter.CreateObservableGauge("frugal.memory.available", () => memory.Read().AvailableBytes, "By", "Memory left under the limit for resident memory.");
            _meter.CreateObservableGauge("frugal.memory.process_rss", () => memory.Read().ProcessRssBytes, "By", "Resident set size of this process.");
        }

        if (readiness is not null)
        {
            ObserveStreams(readiness);
        }
    }

    /// <summary>Smoothed prompt evaluation speed of recent generations (tokens/s), or null before the first.</summary>
    public double? RecentPromptTokensPerSecond
    {
        get
        {
            lock (_lock)
            {
                return _recentPromptRate;
            }
        }
    }

    /// <summary>Smoothed decode speed of recent generations (tokens/s), or null before the first.</summary>
    public double? RecentDecodeTokensPerSecond
    {
        get
        {
            lock (_lock)
            {
                return _recentDecodeRate;
            }
        }
    }

    /// <summary>An HTTP request was answered.</summary>
    /// <param name="route">The route pattern (<c>/v1/chat/completions</c>), never the raw path, so ids do not make new series.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="status">The status code sent.</param>
    /// <param name="duration">Time from the request's arrival to the end of its answer.</param>
    public void RequestCompleted(string route, string method, int status, TimeSpan duration)
    {
        var tags = new TagList
        {
            { "route", route },
            { "method", method },
            { "status", status },
        };
        _requests.Add(1, tags);
        if (status >= 400)
        {
            _errors.Add(1, tags);
        }

        _requestDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("route", route));
    }

    /// <summary>A request joined (+1) or left (-1) the queue.</summary>
    public void QueueDepthChanged(int delta) => _queueDepth.Add(delta);

    /// <summary>A request was refused because the queue was full.</summary>
    public void QueueRejected() => _rejections.Add(1);

    /// <summary>A request was refused by its user's limits on places in line.</summary>
    public void UserLimitRejected() => _userLimitRejections.Add(1, new KeyValuePair<string, object?>("limit", "queue"));

    /// <summary>A request was refused by its user's requests-per-minute or tokens-per-minute limit.</summary>
    public void RateLimitRejected() => _userLimitRejections.Add(1, new KeyValuePair<string, object?>("limit", "rate"));

    /// <summary>A request got the worker after waiting <paramref name="wait"/>.</summary>
    public void GenerationStarted(TimeSpan wait)
    {
        _activeGenerations.Add(1);
        _queueWait.Record(wait.TotalSeconds);
    }

    /// <summary>A generation left the worker; <paramref name="stats"/> is null when it failed.</summary>
    public void GenerationEnded(GenerationStats? stats)
    {
        _activeGenerations.Add(-1);
        if (stats is null)
        {
            return;
        }

        _generations.Add(1, new KeyValuePair<string, object?>("finish_reason", stats.FinishReason.ToString().ToLowerInvariant()));
        _promptTokens.Add(stats.PromptTokens);
        _completionTokens.Add(stats.CompletionTokens);
        if (stats.CompletionTokens > 0)
        {
            _timeToFirstToken.Record(stats.TimeToFirstToken.TotalSeconds);
        }

        var promptRate = stats.PromptTokens - stats.CachedPromptTokens > 0 && double.IsFinite(stats.PromptTokensPerSecond) && stats.PromptTokensPerSecond > 0
            ? stats.PromptTokensPerSecond : (double?)null;
        var decodeRate = stats.CompletionTokens > 1 && double.IsFinite(stats.DecodeTokensPerSecond) && stats.DecodeTokensPerSecond > 0
            ? stats.DecodeTokensPerSecond : (double?)null;
        if (promptRate is { } p)
        {
            _promptRate.Record(p);
        }

        if (decodeRate is { } d)
        {
            _decodeRate.Record(d);
        }

        lock (_lock)
        {
            _recentPromptRate = Smooth(_recentPromptRate, promptRate);
            _recentDecodeRate = Smooth(_recentDecodeRate, decodeRate);
        }
    }

    private void ObserveStreams(EngineReadiness readiness)
    {
        IReadOnlyList<StreamFigures> Streams() => readiness.Engine?.Streams ?? [];
        _meter.CreateObservableGauge("frugal.streams.streaming", () => Streams().Count(s => !s.Prefilling), "{stream}", "Replies streaming tokens now.");
        _meter.CreateObservableGauge("frugal.streams.prefilling", () => Streams().Count(s => s.Prefilling), "{stream}", "Requests whose prompts are being evaluated now.");
        _meter.CreateObservableGauge("frugal.streams.limit", () => readiness.Engine?.StreamLimit ?? 0, "{stream}",
            "Streams that may run at once now (fewer when another would slow the running ones below the floor rate).");

        // Every slot has a series (0 when idle), so a finished reply's rate does not linger.
        _meter.CreateObservableGauge("frugal.stream.tokens_per_second", () =>
        {
            var streams = Streams();
            return Enumerable.Range(0, readiness.Engine?.ParallelSequences ?? 0).Select(slot => new Measurement<double>(
                streams.FirstOrDefault(s => s.Slot == slot)?.TokensPerSecond ?? 0, new KeyValuePair<string, object?>("slot", slot)));
        }, "{token}/s", "Reply tokens per second of the reply streaming in each slot, since its first token (0: idle or starting).");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    // Weighted toward the newest so /status follows a change of load within a few requests.
    private static double? Smooth(double? previous, double? sample) =>
        sample is not { } s ? previous : previous is { } p ? (0.6 * s) + (0.4 * p) : s;
}
