namespace Frugal.Memory;

/// <summary>
/// One reading of the memory that applies to this process. The pressure figure is
/// <see cref="ResidentRequiredBytes"/> against <see cref="LimitBytes"/>: memory that must stay resident
/// (anonymous memory of everything in the box plus the mapped model), not the page cache that the
/// kernel counts in <see cref="UsageBytes"/> and can evict.
/// </summary>
public sealed record MemorySnapshot
{
    /// <summary>When the reading was taken.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Where the limit came from.</summary>
    public required CgroupVersion Source { get; init; }

    /// <summary>The memory limit that applies (cgroup limit, or the machine's memory when none).</summary>
    public required long LimitBytes { get; init; }

    /// <summary>What the kernel counts against the limit, page cache included.</summary>
    public required long UsageBytes { get; init; }

    /// <summary>The highest usage the kernel recorded for the box, when it tells.</summary>
    public long? PeakUsageBytes { get; init; }

    /// <summary>Anonymous (plus shared-memory) bytes of everything in the box: what cannot be evicted without swap.</summary>
    public required long AnonymousBytes { get; init; }

    /// <summary>Page cache of the box (file-backed, evictable).</summary>
    public required long PageCacheBytes { get; init; }

    /// <summary>The bytes of the loaded model's memory-mapped tensors (0 when none is loaded).</summary>
    public long ModelMappedBytes { get; init; }

    /// <summary>This process's resident set.</summary>
    public long ProcessRssBytes { get; init; }

    /// <summary>This process's anonymous resident memory.</summary>
    public long ProcessRssAnonymousBytes { get; init; }

    /// <summary>This process's file-backed resident memory (mostly the mapped model).</summary>
    public long ProcessRssFileBytes { get; init; }

    /// <summary>This process's peak resident set (VmHWM).</summary>
    public long ProcessPeakRssBytes { get; init; }

    /// <summary>The managed heap's size after the last collection.</summary>
    public long ManagedHeapBytes { get; init; }

    /// <summary>PSI "some" memory stall over the last 10 s, in percent, when the kernel reports it.</summary>
    public double? StallSomeAvg10 { get; init; }

    /// <summary>PSI "full" memory stall over the last 10 s, in percent, when the kernel reports it.</summary>
    public double? StallFullAvg10 { get; init; }

    /// <summary>Major page faults of the box so far (a counter): pages re-read from disk.</summary>
    public long? MajorPageFaults { get; init; }

    /// <summary>Major page faults of this process so far (a counter).</summary>
    public long? ProcessMajorPageFaults { get; init; }

    /// <summary>Swap space of the machine (<c>SwapTotal</c>); 0 when there is none.</summary>
    public long SwapTotalBytes { get; init; }

    /// <summary>Times the kernel's OOM killer has fired in the box, when it tells.</summary>
    public long? OomKills { get; init; }

    /// <summary>Memory that must stay resident: the box's anonymous memory plus the mapped model.</summary>
    public long ResidentRequiredBytes => AnonymousBytes + ModelMappedBytes;

    /// <summary>What is left under the limit for resident memory.</summary>
    public long AvailableBytes => Math.Max(0, LimitBytes - ResidentRequiredBytes);

    /// <summary><see cref="ResidentRequiredBytes"/> as a share of <see cref="LimitBytes"/> (0..1, may exceed 1).</summary>
    public double PressureRatio => LimitBytes > 0 ? (double)ResidentRequiredBytes / LimitBytes : 0;
}
