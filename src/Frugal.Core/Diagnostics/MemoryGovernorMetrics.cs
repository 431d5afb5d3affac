using System.Diagnostics.Metrics;
using Frugal.Memory;

namespace Frugal.Diagnostics;

/// <summary>
/// The memory governor's gauges on Frugal's meter, read from its latest status at each scrape:
/// <c>frugal.memory.pressure</c> (0 low, 1 medium, 2 high, 3 critical), <c>frugal.memory.pressure_level</c>
/// (1 for the current level's <c>level</c> tag, 0 for the others), <c>frugal.emergency_mode</c> (0/1),
/// <c>frugal.memory.restriction</c> (1 per <c>kind</c> restricted now: max_tokens, history, queue_depth,
/// new_generations; 0 otherwise) and <c>frugal.memory.resident</c> (the pressure figure, bytes).
/// </summary>
public sealed class MemoryGovernorMetrics : IDisposable
{
    private static readonly MemoryPressureLevel[] Levels = Enum.GetValues<MemoryPressureLevel>();
    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <summary>Creates the gauges on <see cref="FrugalMetrics.MeterName"/> from <paramref name="meterFactory"/> (or a meter of its own when null).</summary>
    public MemoryGovernorMetrics(MemoryGovernor governor, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(governor);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(new MeterOptions(FrugalMetrics.MeterName)) ?? new Meter(FrugalMetrics.MeterName);
        _meter.CreateObservableGauge("frugal.memory.pressure", () => (int)governor.Current.Level, null,
            "Memory pressure level: 0 low, 1 medium, 2 high, 3 critical.");
        _meter.CreateObservableGauge("frugal.memory.pressure_level", () => LevelMeasurements(governor.Current.Level), null,
            "1 for the current memory pressure level, 0 for the others.");
        _meter.CreateObservableGauge("frugal.emergency_mode", () => governor.Current.EmergencyMode ? 1 : 0, null,
            "1 in emergency mode (critical pressure: new generations refused with 503), else 0.");
        _meter.CreateObservableGauge("frugal.memory.restriction", () => RestrictionMeasurements(governor.Current.Restrictions), null,
            "1 for each kind of restriction memory pressure imposes now (max_tokens, history, queue_depth, new_generations), else 0.");
        _meter.CreateObservableGauge("frugal.memory.resident", () => governor.Current.Snapshot.ResidentRequiredBytes, "By",
            "Memory that must stay resident (anonymous memory of the box plus the mapped model): the pressure figure.");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static IEnumerable<Measurement<int>> LevelMeasurements(MemoryPressureLevel current) =>
        Levels.Select(level => new Measurement<int>(level == current ? 1 : 0,
            new KeyValuePair<string, object?>("level", level.ToString().ToLowerInvariant())));

    private static Measurement<int>[] RestrictionMeasurements(MemoryRestrictions restrictions) =>
    [
        Restriction("max_tokens", restrictions.ReplyTokenCap is not null),
        Restriction("history", restrictions.HistoryExchanges is not null),
        Restriction("queue_depth", restrictions.QueueDepthFactor < 1),
        Restriction("new_generations", restrictions.RefuseNewGenerations),
    ];

    private static Measurement<int> Restriction(string kind, bool active) =>
        new(active ? 1 : 0, new KeyValuePair<string, object?>("kind", kind));
}
