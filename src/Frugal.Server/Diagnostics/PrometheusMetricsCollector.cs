using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Frugal.Server.Diagnostics;

/// <summary>
/// Listens to the instruments of the named meters and renders them in Prometheus' text exposition
/// format (version 0.0.4). Counters become <c>_total</c> series, up-down counters and gauges become
/// gauges, histograms get cumulative <c>_bucket</c>, <c>_sum</c> and <c>_count</c> series. When a meter
/// factory is given, only meters it created are collected, so two hosts in one process stay apart.
/// </summary>
public sealed partial class PrometheusMetricsCollector : IDisposable
{
    /// <summary>The content type of <see cref="Render"/>'s output.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly MeterListener _listener = new();
    private readonly IMeterFactory? _scope;
    private readonly HashSet<string> _meterNames;
    private readonly Lock _lock = new();
    private readonly Dictionary<Instrument, InstrumentSeries> _instruments = [];

    /// <summary>Starts collecting the instruments of <paramref name="meterNames"/>.</summary>
    /// <param name="meterNames">Names of the meters to collect (for example <see cref="Frugal.Diagnostics.FrugalMetrics.MeterName"/>).</param>
    /// <param name="scope">Only meters created by this factory are collected; null collects every meter of those names.</param>
    public PrometheusMetricsCollector(IEnumerable<string> meterNames, IMeterFactory? scope = null)
    {
        ArgumentNullException.ThrowIfNull(meterNames);
        _meterNames = new HashSet<string>(meterNames, StringComparer.Ordinal);
        _scope = scope;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meterNames.Contains(instrument.Meter.Name) && (_scope is null || ReferenceEquals(instrument.Meter.Scope, _scope)))
            {
                lock (_lock)
                {
                    _instruments[instrument] = new InstrumentSeries(instrument);
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (_lock)
            {
                _instruments.Remove(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments and writes every series as Prometheus text.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        lock (_lock)
        {
            foreach (var series in _instruments.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                series.WriteTo(text);
            }
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        lock (_lock)
        {
            if (_instruments.TryGetValue(instrument, out var series))
            {
                series.Record(labels, value);
            }
        }
    }

    // Labels sorted by name so that one tag set always makes the same series.
    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new List<(string Name, string Value)>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add((SanitizeName(tag.Key), Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? ""));
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return string.Join(',', pairs.Select(p => $"{p.Name}=\"{EscapeLabelValue(p.Value)}\""));
    }

    private static string SanitizeName(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] != '_' && chars[i] != ':')
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    private static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
