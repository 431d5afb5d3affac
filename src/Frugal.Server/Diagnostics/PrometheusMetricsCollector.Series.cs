using System.Diagnostics.Metrics;
using System.Text;

namespace Frugal.Server.Diagnostics;

public sealed partial class PrometheusMetricsCollector
{
    private enum SeriesKind
    {
        Counter,
        CumulativeCounter,
        Gauge,
        SummedGauge,
        Histogram,
    }

    /// <summary>The aggregated series of one instrument, one entry per label set. Used under the collector's lock.</summary>
    private sealed class InstrumentSeries
    {
        private readonly SeriesKind _kind;
        private readonly string _help;
        private readonly double[] _bounds;
        private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, HistogramState> _histograms = new(StringComparer.Ordinal);

        public InstrumentSeries(Instrument instrument)
        {
            var type = instrument.GetType();
            var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
            _kind = generic == typeof(Counter<>) ? SeriesKind.Counter
                : generic == typeof(ObservableCounter<>) ? SeriesKind.CumulativeCounter
                : generic == typeof(UpDownCounter<>) ? SeriesKind.SummedGauge
                : generic == typeof(Histogram<>) ? SeriesKind.Histogram
                : SeriesKind.Gauge;
            _bounds = (instrument as Histogram<double>)?.Advice?.HistogramBucketBoundaries?.ToArray() ?? DefaultBuckets;
            _help = instrument.Description ?? instrument.Name;
            Name = SanitizeName(instrument.Name) + UnitSuffix(instrument.Name, instrument.Unit)
                + (_kind is SeriesKind.Counter or SeriesKind.CumulativeCounter ? "_total" : "");
        }

        public string Name { get; }

        public void Record(string labels, double value)
        {
            switch (_kind)
            {
                case SeriesKind.Counter or SeriesKind.SummedGauge:
                    _values[labels] = _values.GetValueOrDefault(labels) + value;
                    break;
                case SeriesKind.Histogram:
                    if (!_histograms.TryGetValue(labels, out var histogram))
                    {
                        histogram = new HistogramState(_bounds.Length);
                        _histograms[labels] = histogram;
                    }

                    histogram.Record(_bounds, value);
                    break;
                default:
                    _values[labels] = value;
                    break;
            }
        }

        public void WriteTo(StringBuilder text)
        {
            if (_values.Count == 0 && _histograms.Count == 0)
            {
                return;
            }

            var type = _kind switch
            {
                SeriesKind.Counter or SeriesKind.CumulativeCounter => "counter",
                SeriesKind.Histogram => "histogram",
                _ => "gauge",
            };
            text.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(_help)).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, value) in _values.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.Append(Name).Append(Braces(labels)).Append(' ').Append(Number(value)).Append('\n');
            }

            foreach (var (labels, histogram) in _histograms.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                long cumulative = 0;
                for (var i = 0; i <= _bounds.Length; i++)
                {
                    cumulative += histogram.Buckets[i];
                    var le = i < _bounds.Length ? Number(_bounds[i]) : "+Inf";
                    var bucketLabels = labels.Length == 0 ? $"le=\"{le}\"" : $"{labels},le=\"{le}\"";
                    text.Append(Name).Append("_bucket{").Append(bucketLabels).Append("} ").Append(cumulative).Append('\n');
                }

                text.Append(Name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Number(histogram.Sum)).Append('\n');
                text.Append(Name).Append("_count").Append(Braces(labels)).Append(' ').Append(histogram.Count).Append('\n');
            }
        }

        private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

        private static string UnitSuffix(string name, string? unit)
        {
            var suffix = unit switch
            {
                "s" => "_seconds",
                "ms" => "_milliseconds",
                "By" => "_bytes",
                _ => "",
            };
            return name.EndsWith(suffix, StringComparison.Ordinal) ? "" : suffix;
        }
    }

    private sealed class HistogramState(int boundCount)
    {
        public long[] Buckets { get; } = new long[boundCount + 1];

        public double Sum { get; private set; }

        public long Count { get; private set; }

        public void Record(double[] bounds, double value)
        {
            var index = 0;
            while (index < bounds.Length && value > bounds[index])
            {
                index++;
            }

            Buckets[index]++;
            Sum += value;
            Count++;
        }
    }
}
