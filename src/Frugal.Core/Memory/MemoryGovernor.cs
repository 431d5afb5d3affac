using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Frugal.Memory;

/// <summary>
/// Reads the probe on a timer and before each admission, turns the reading into a pressure level
/// (with hysteresis), and acts when the level rises: calls every registered <see cref="IMemoryReleaser"/>,
/// and restricts new requests (reply cap, history trim, half queue at high; refusal at critical).
/// </summary>
public sealed class MemoryGovernor : IDisposable
{
    private const long MiB = 1024 * 1024;
    private readonly IMemoryProbe _probe;
    private readonly MemoryGovernorOptions _options;
    private readonly IReadOnlyList<IMemoryReleaser> _releasers;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private MemoryStatus? _current;

    public MemoryGovernor(
        IMemoryProbe probe,
        IOptions<MemoryGovernorOptions> options,
        IEnumerable<IMemoryReleaser> releasers,
        TimeProvider timeProvider,
        ILogger<MemoryGovernor>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(releasers);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _probe = probe;
        _options = OptionsCheck.Valid(new MemoryGovernorOptionsValidator(), options.Value);
        _releasers = [.. releasers];
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger<MemoryGovernor>.Instance;
    }

    /// <summary>The options in force.</summary>
    public MemoryGovernorOptions Options => _options;

    /// <summary>The probe the governor reads.</summary>
    public IMemoryProbe Probe => _probe;

    /// <summary>The latest status (reads the probe once if it was never read).</summary>
    public MemoryStatus Current => Volatile.Read(ref _current) ?? Refresh();

    /// <summary>
    /// Where the mapped model's size comes from (the host sets it to the loaded model's tensor bytes);
    /// read before each reading so the figure follows a model that loads after start.
    /// </summary>
    public Func<long>? ModelMappedBytesSource { get; set; }

    /// <summary>Raised after the level changed (on the thread that refreshed).</summary>
    public event EventHandler<MemoryStatus>? LevelChanged;

    /// <summary>Starts reading the probe every <see cref="MemoryGovernorOptions.RefreshInterval"/>.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _timer ??= _timeProvider.CreateTimer(_ => RefreshQuietly(), null, TimeSpan.Zero, _options.RefreshInterval);
        }
    }

    /// <summary>Reads the probe now, updates the level and acts on a change.</summary>
    public MemoryStatus Refresh()
    {
        MemoryStatus next;
        MemoryStatus? previous;
        lock (_gate)
        {
            previous = _current;
            if (ModelMappedBytesSource is { } modelBytes)
            {
                _probe.ModelMappedBytes = modelBytes();
            }

            var snapshot = _probe.Read();
            var faultRate = FaultRate(previous?.Snapshot, snapshot);
            var thrashing = (_options.ThrashingStallPercent > 0 && snapshot.StallSomeAvg10 >= _options.ThrashingStallPercent)
                || (_options.ThrashingMajorFaultsPerSecond > 0 && faultRate >= _options.ThrashingMajorFaultsPerSecond);
            var from = previous?.Level ?? MemoryPressureLevel.Low;
            var level = PressureLevelCalculator.Next(from, snapshot.PressureRatio, thrashing, _options);
            next = new MemoryStatus
            {
                Snapshot = snapshot,
                Level = level,
                LevelSince = previous is not null && previous.Level == level ? previous.LevelSince : snapshot.Timestamp,
                Thrashing = thrashing,
                MajorFaultsPerSecond = faultRate,
                Restrictions = MemoryRestrictions.For(level, _options),
            };
            Volatile.Write(ref _current, next);
        }

        var fromLevel = previous?.Level ?? MemoryPressureLevel.Low;
        if (next.Level != fromLevel)
        {
            OnLevelChanged(fromLevel, next);
        }

        return next;
    }

    /// <summary>
    /// Reads the probe and decides whether a new generation that needs about
    /// <paramref name="additionalResidentBytes"/> more resident memory may start.
    /// </summary>
    public MemoryAdmission CheckAdmission(long additionalResidentBytes = 0)
    {
        var status = Refresh();
        var snapshot = status.Snapshot;
        string? reason = null;
        if (status.EmergencyMode)
        {
            reason = string.Create(CultureInfo.InvariantCulture,
                $"Memory pressure is critical ({snapshot.PressureRatio:P0} of the {snapshot.LimitBytes / MiB} MiB limit must stay resident); new generations are refused until it eases.");
        }
        else if (snapshot.ResidentRequiredBytes + additionalResidentBytes > snapshot.LimitBytes * _options.CriticalThreshold)
        {
            reason = string.Create(CultureInfo.InvariantCulture,
                $"This request needs about {Math.Ceiling((double)additionalResidentBytes / MiB)} MiB more memory, which would cross the emergency line of the {snapshot.LimitBytes / MiB} MiB limit ({snapshot.AvailableBytes / MiB} MiB left).");
        }

        if (reason is not null)
        {
            MemoryLog.Refused(_logger, reason);
        }

        return new MemoryAdmission
        {
            Admitted = reason is null,
            Reason = reason,
            RetryAfter = _options.RetryAfter,
            Restrictions = status.Restrictions,
            Status = status,
        };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void RefreshQuietly()
    {
        try
        {
            Refresh();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            MemoryLog.ProbeFailed(_logger, e);
        }
    }

    private void OnLevelChanged(MemoryPressureLevel from, MemoryStatus status)
    {
        var s = status.Snapshot;
        if (status.Level > from)
        {
            MemoryLog.LevelRaised(_logger, Name(from), status.LevelName, s.ResidentRequiredBytes / MiB, s.PressureRatio * 100, s.LimitBytes / MiB,
                s.AnonymousBytes / MiB, s.ModelMappedBytes / MiB, s.UsageBytes / MiB, s.PageCacheBytes / MiB,
                s.StallSomeAvg10?.ToString("0.##", CultureInfo.InvariantCulture) ?? "n/a",
                status.MajorFaultsPerSecond?.ToString("0", CultureInfo.InvariantCulture) ?? "n/a");
            if (status.Level >= MemoryPressureLevel.Medium)
            {
                ReleaseAll(status.Level);
            }
        }
        else
        {
            MemoryLog.LevelLowered(_logger, Name(from), status.LevelName, s.ResidentRequiredBytes / MiB, s.PressureRatio * 100, s.LimitBytes / MiB, s.UsageBytes / MiB);
        }

        var restrictions = status.Restrictions.Describe();
        MemoryLog.RestrictionsChanged(_logger, restrictions.Count == 0 ? "none" : string.Join(", ", restrictions));
        LevelChanged?.Invoke(this, status);
    }

    private void ReleaseAll(MemoryPressureLevel level)
    {
        foreach (var releaser in _releasers)
        {
            try
            {
                var freed = releaser.Release(level);
                MemoryLog.Released(_logger, releaser.Name, Name(level), Math.Round((double)freed / MiB, 1));
            }
#pragma warning disable CA1031 // A releaser's failure must not stop the others or the governor.
            catch (Exception e)
#pragma warning restore CA1031
            {
                MemoryLog.ReleaseFailed(_logger, releaser.Name, Name(level), e);
            }
        }
    }

    private static double? FaultRate(MemorySnapshot? previous, MemorySnapshot current)
    {
        if (previous?.MajorPageFaults is not { } before || current.MajorPageFaults is not { } after)
        {
            return null;
        }

        var seconds = (current.Timestamp - previous.Timestamp).TotalSeconds;
        return seconds > 0 ? Math.Max(0, after - before) / seconds : null;
    }

    private static string Name(MemoryPressureLevel level) => level.ToString().ToLowerInvariant();
}
