namespace Frugal.Memory;

/// <summary>
/// Reads the memory limit, usage and stall of this process's box from cgroup v2, cgroup v1 or
/// <c>/proc/meminfo</c>, and this process's resident set from <c>/proc/self</c>.
/// </summary>
/// <remarks>
/// A memory-mapped model's pages are page cache: the kernel counts them in the cgroup's usage but can
/// evict them, so usage alone never predicts an OOM kill; the box thrashes (re-reads the model from disk
/// every token) long before. Hence the pressure figure is anonymous memory plus the model's mapped size.
/// </remarks>
public sealed class MemoryProbe : IMemoryProbe
{
    private readonly IFileSystem _fileSystem;
    private readonly TimeProvider _timeProvider;
    private readonly Func<long> _managedHeapBytes;
    private readonly CgroupLocator _cgroup;
    private long _modelMappedBytes;

    /// <summary>Reads this machine.</summary>
    public MemoryProbe() : this(PhysicalFileSystem.Instance, TimeProvider.System) { }

    /// <summary>Reads through <paramref name="fileSystem"/> (a fixture in tests) at times given by <paramref name="timeProvider"/>.</summary>
    public MemoryProbe(IFileSystem fileSystem, TimeProvider timeProvider)
        : this(fileSystem, timeProvider, static () => GC.GetGCMemoryInfo().HeapSizeBytes)
    {
    }

    internal MemoryProbe(IFileSystem fileSystem, TimeProvider timeProvider, Func<long> managedHeapBytes)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _fileSystem = fileSystem;
        _timeProvider = timeProvider;
        _managedHeapBytes = managedHeapBytes;
        _cgroup = CgroupLocator.Locate(fileSystem);
    }

    /// <summary>Which cgroup version limits this process.</summary>
    public CgroupVersion CgroupVersion => _cgroup.Version;

    /// <inheritdoc/>
    public long ModelMappedBytes
    {
        get => Interlocked.Read(ref _modelMappedBytes);
        set => Interlocked.Exchange(ref _modelMappedBytes, Math.Max(0, value));
    }

    /// <inheritdoc/>
    public MemorySnapshot Read()
    {
        var meminfo = _fileSystem.TryReadAllText("/proc/meminfo");
        var memTotal = ProcFileParser.FindValue(meminfo, "MemTotal") ?? 0;
        var box = _cgroup.Version switch
        {
            CgroupVersion.V2 => ReadV2(_cgroup.MemoryDirectory!, memTotal),
            CgroupVersion.V1 => ReadV1(_cgroup.MemoryDirectory!, memTotal),
            _ => null,
        } ?? ReadHost(meminfo, memTotal);

        var status = _fileSystem.TryReadAllText("/proc/self/status");
        var rssAnon = ProcFileParser.FindValue(status, "RssAnon") ?? 0;
        var rssFile = ProcFileParser.FindValue(status, "RssFile") ?? 0;
        var rssShmem = ProcFileParser.FindValue(status, "RssShmem") ?? 0;

        var pressure = _cgroup.Version == CgroupVersion.V2
            ? _fileSystem.TryReadAllText($"{_cgroup.MemoryDirectory}/memory.pressure")
            : null;
        pressure ??= _fileSystem.TryReadAllText("/proc/pressure/memory");

        return box with
        {
            Timestamp = _timeProvider.GetUtcNow(),
            ModelMappedBytes = ModelMappedBytes,
            SwapTotalBytes = ProcFileParser.FindValue(meminfo, "SwapTotal") ?? 0,
            ProcessRssBytes = ProcFileParser.FindValue(status, "VmRSS") ?? rssAnon + rssFile + rssShmem,
            ProcessRssAnonymousBytes = rssAnon,
            ProcessRssFileBytes = rssFile,
            ProcessPeakRssBytes = ProcFileParser.FindValue(status, "VmHWM") ?? 0,
            ManagedHeapBytes = _managedHeapBytes(),
            StallSomeAvg10 = ProcFileParser.FindPressureAvg10(pressure, "some"),
            StallFullAvg10 = ProcFileParser.FindPressureAvg10(pressure, "full"),
            ProcessMajorPageFaults = ProcFileParser.ParseMajorFaultsFromStat(_fileSystem.TryReadAllText("/proc/self/stat")),
        };
    }

    private MemorySnapshot? ReadV2(string directory, long memTotal)
    {
        long? limit = null;
        foreach (var dir in CgroupLocator.SelfAndAncestors(directory, _cgroup.MountOf(directory)))
        {
            var max = ProcFileParser.ParseLimit(_fileSystem.TryReadAllText($"{dir}/memory.max"));
            if (max is { } value && (limit is null || value < limit))
            {
                limit = value;
            }
        }

        var usage = ProcFileParser.ParseNumber(_fileSystem.TryReadAllText($"{directory}/memory.current"));
        var stat = _fileSystem.TryReadAllText($"{directory}/memory.stat");
        if (usage is null || stat is null)
        {
            return null; // the root cgroup of a v2 machine has neither: use the machine's figures
        }

        return new MemorySnapshot
        {
            Timestamp = default,
            Source = CgroupVersion.V2,
            LimitBytes = Clamp(limit, memTotal),
            UsageBytes = usage.Value,
            PeakUsageBytes = ProcFileParser.ParseNumber(_fileSystem.TryReadAllText($"{directory}/memory.peak")),
            AnonymousBytes = (ProcFileParser.FindValue(stat, "anon") ?? 0) + (ProcFileParser.FindValue(stat, "shmem") ?? 0),
            PageCacheBytes = ProcFileParser.FindValue(stat, "file") ?? 0,
            MajorPageFaults = ProcFileParser.FindValue(stat, "pgmajfault"),
            OomKills = ProcFileParser.FindValue(_fileSystem.TryReadAllText($"{directory}/memory.events"), "oom_kill"),
        };
    }

    private MemorySnapshot? ReadV1(string directory, long memTotal)
    {
        var stat = _fileSystem.TryReadAllText($"{directory}/memory.stat");
        var usage = ProcFileParser.ParseNumber(_fileSystem.TryReadAllText($"{directory}/memory.usage_in_bytes"));
        if (stat is null || usage is null)
        {
            return null;
        }

        // hierarchical_memory_limit is the smallest limit of this cgroup and its ancestors.
        var limit = ProcFileParser.AsLimit(ProcFileParser.FindValue(stat, "hierarchical_memory_limit"))
            ?? ProcFileParser.ParseLimit(_fileSystem.TryReadAllText($"{directory}/memory.limit_in_bytes"));

        // total_* include child cgroups (the hog of the benchmark may live in one); shmem sits in the cache.
        long? Stat(string key) => ProcFileParser.FindValue(stat, $"total_{key}") ?? ProcFileParser.FindValue(stat, key);
        var shmem = Stat("shmem") ?? 0;
        return new MemorySnapshot
        {
            Timestamp = default,
            Source = CgroupVersion.V1,
            LimitBytes = Clamp(limit, memTotal),
            UsageBytes = usage.Value,
            PeakUsageBytes = ProcFileParser.ParseNumber(_fileSystem.TryReadAllText($"{directory}/memory.max_usage_in_bytes")),
            AnonymousBytes = (Stat("rss") ?? 0) + shmem,
            PageCacheBytes = Math.Max(0, (Stat("cache") ?? 0) - shmem),
            MajorPageFaults = Stat("pgmajfault"),
            OomKills = ProcFileParser.FindValue(_fileSystem.TryReadAllText($"{directory}/memory.oom_control"), "oom_kill"),
        };
    }

    private MemorySnapshot ReadHost(string? meminfo, long memTotal)
    {
        var available = ProcFileParser.FindValue(meminfo, "MemAvailable") ?? ProcFileParser.FindValue(meminfo, "MemFree") ?? 0;
        var shmem = ProcFileParser.FindValue(meminfo, "Shmem") ?? 0;
        return new MemorySnapshot
        {
            Timestamp = default,
            Source = CgroupVersion.None,
            LimitBytes = memTotal,
            UsageBytes = Math.Max(0, memTotal - available),
            AnonymousBytes = (ProcFileParser.FindValue(meminfo, "AnonPages") ?? 0) + shmem,
            PageCacheBytes = Math.Max(0, (ProcFileParser.FindValue(meminfo, "Cached") ?? 0) - shmem),
            MajorPageFaults = ProcFileParser.FindValue(_fileSystem.TryReadAllText("/proc/vmstat"), "pgmajfault"),
        };
    }

    // A cgroup limit above the machine's memory (or none) means the machine's memory is the limit.
    private static long Clamp(long? limit, long memTotal) =>
        limit is { } value && (memTotal == 0 || value < memTotal) ? value : memTotal;
}
