using System.ComponentModel.DataAnnotations;

namespace Frugal.Memory;

/// <summary>Thresholds and actions of the memory governor (configuration section <c>Memory</c>).</summary>
public sealed class MemoryGovernorOptions : IValidatableObject
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Memory";

    public const double DefaultMediumThreshold = 0.75;
    public const double DefaultHighThreshold = 0.90;
    public const double DefaultCriticalThreshold = 0.95;
    public const double DefaultHysteresis = 0.05;
    public const int DefaultReplyTokenCap = 128;
    public const int DefaultHistoryExchanges = 2;

    /// <summary>
    /// Share of the limit in resident use from which the level is <see cref="MemoryPressureLevel.Medium"/>.
    /// 0 keeps the level at least medium at all times (a box that should always save).
    /// </summary>
    [Range(0.0, 1.0)]
    public double MediumThreshold { get; set; } = DefaultMediumThreshold;

    /// <summary>Share from which the level is <see cref="MemoryPressureLevel.High"/> (0: always at least high; equal to medium: medium is skipped).</summary>
    [Range(0.0, 1.0)]
    public double HighThreshold { get; set; } = DefaultHighThreshold;

    /// <summary>Share from which the level is <see cref="MemoryPressureLevel.Critical"/> (emergency mode); above 1 never.</summary>
    [Range(0.0, 1.5)]
    public double CriticalThreshold { get; set; } = DefaultCriticalThreshold;

    /// <summary>How far below a level's threshold the share must fall to leave that level (no flapping).</summary>
    [Range(0.0, 0.5)]
    public double Hysteresis { get; set; } = DefaultHysteresis;

    /// <summary>How often the probe is read in the background.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>At <see cref="MemoryPressureLevel.High"/> and above, new replies get at most this many tokens.</summary>
    [Range(1, 1_000_000)]
    public int ReplyTokenCap { get; set; } = DefaultReplyTokenCap;

    /// <summary>At <see cref="MemoryPressureLevel.High"/> and above, history keeps only this many user/assistant exchanges.</summary>
    [Range(0, 1000)]
    public int HistoryExchanges { get; set; } = DefaultHistoryExchanges;

    /// <summary>At <see cref="MemoryPressureLevel.High"/> and above, the queue accepts this share of its normal depth.</summary>
    [Range(0.0, 1.0)]
    public double QueueDepthFactor { get; set; } = 0.5;

    /// <summary>What emergency mode does to the running generation.</summary>
    public EmergencyRunningAction EmergencyRunningAction { get; set; } = EmergencyRunningAction.Finish;

    /// <summary>The Retry-After given with a refusal for memory.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// PSI "some" memory stall (percent over 10 s) from which the box counts as thrashing, which raises
    /// the level to at least <see cref="MemoryPressureLevel.High"/>. 0 turns the signal off.
    /// </summary>
    [Range(0.0, 100.0)]
    public double ThrashingStallPercent { get; set; } = 40;

    /// <summary>Major page faults per second of the box from which it counts as thrashing. 0 turns the signal off.</summary>
    [Range(0, long.MaxValue)]
    public long ThrashingMajorFaultsPerSecond { get; set; } = 5000;

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!(MediumThreshold <= HighThreshold && HighThreshold < CriticalThreshold))
        {
            yield return new ValidationResult(
                $"Memory: thresholds must rise: medium ({MediumThreshold}) <= high ({HighThreshold}) < critical ({CriticalThreshold}).",
                [nameof(MediumThreshold), nameof(HighThreshold), nameof(CriticalThreshold)]);
        }

        // A level at 0 is never left, so its hysteresis does not matter; otherwise low must stay reachable.
        if (MediumThreshold > 0 && Hysteresis >= MediumThreshold)
        {
            yield return new ValidationResult(
                $"Memory:Hysteresis ({Hysteresis}) must be below Memory:MediumThreshold ({MediumThreshold}).", [nameof(Hysteresis)]);
        }
    }

    /// <summary>The threshold from which <paramref name="level"/> applies.</summary>
    public double ThresholdOf(MemoryPressureLevel level) => level switch
    {
        MemoryPressureLevel.Medium => MediumThreshold,
        MemoryPressureLevel.High => HighThreshold,
        MemoryPressureLevel.Critical => CriticalThreshold,
        _ => 0,
    };
}
