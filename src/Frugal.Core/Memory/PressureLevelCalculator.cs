namespace Frugal.Memory;

/// <summary>
/// Turns a share of the limit into a level: rising takes effect at once, falling only once the share
/// is <see cref="MemoryGovernorOptions.Hysteresis"/> below the current level's threshold, so a figure
/// that hovers around a threshold does not make the level flap.
/// </summary>
internal static class PressureLevelCalculator
{
    public static MemoryPressureLevel Next(MemoryPressureLevel current, double ratio, bool thrashing, MemoryGovernorOptions options)
    {
        var target = ratio >= options.CriticalThreshold ? MemoryPressureLevel.Critical
            : ratio >= options.HighThreshold ? MemoryPressureLevel.High
            : ratio >= options.MediumThreshold ? MemoryPressureLevel.Medium
            : MemoryPressureLevel.Low;

        // Thrashing means the mapped model is being evicted and re-read: act as at high even if the
        // resident figure looks fine (another process's page cache may be crowding it out).
        if (thrashing && target < MemoryPressureLevel.High)
        {
            target = MemoryPressureLevel.High;
        }

        if (target >= current)
        {
            return target;
        }

        var level = current;
        while (level > target && ratio < options.ThresholdOf(level) - options.Hysteresis)
        {
            level--;
        }

        return level;
    }
}
