using System.Globalization;

namespace Frugal.Memory;

/// <summary>Reads the CPU quota (cgroup v2 <c>cpu.max</c>, v1 <c>cpu.cfs_quota_us</c>), affinity and features.</summary>
public sealed class CpuProbe
{
    private readonly IFileSystem _fileSystem;

    /// <summary>Reads this machine.</summary>
    public CpuProbe() : this(PhysicalFileSystem.Instance) { }

    /// <summary>Reads through <paramref name="fileSystem"/> (a fixture in tests).</summary>
    public CpuProbe(IFileSystem fileSystem)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        _fileSystem = fileSystem;
    }

    /// <summary>Takes a reading.</summary>
    public CpuSnapshot Read()
    {
        var cpuinfo = _fileSystem.TryReadAllText("/proc/cpuinfo") ?? string.Empty;
        var online = CountList(_fileSystem.TryReadAllText("/sys/devices/system/cpu/online"))
            ?? Math.Max(1, cpuinfo.Split('\n').Count(l => l.StartsWith("processor", StringComparison.Ordinal)));
        var status = _fileSystem.TryReadAllText("/proc/self/status");
        var allowed = CountList(FindText(status, "Cpus_allowed_list")) ?? online;
        var cgroup = CgroupLocator.Locate(_fileSystem);
        var quota = cgroup.Version switch
        {
            CgroupVersion.V2 => QuotaV2(cgroup),
            CgroupVersion.V1 => QuotaV1(cgroup),
            _ => null,
        };

        return new CpuSnapshot
        {
            OnlineCpus = online,
            AllowedCpus = Math.Min(allowed, online),
            QuotaCores = quota,
            Source = quota is null ? CgroupVersion.None : cgroup.Version,
            Flags = (FindText(cpuinfo, "flags") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
            ModelName = FindText(cpuinfo, "model name"),
        };
    }

    private double? QuotaV2(CgroupLocator cgroup)
    {
        double? smallest = null;
        foreach (var dir in CgroupLocator.SelfAndAncestors(cgroup.CpuDirectory!, cgroup.MountOf(cgroup.CpuDirectory!)))
        {
            var parts = _fileSystem.TryReadAllText($"{dir}/cpu.max")?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts is [var max, var period] && max != "max"
                && double.TryParse(max, CultureInfo.InvariantCulture, out var q) && double.TryParse(period, CultureInfo.InvariantCulture, out var p) && p > 0)
            {
                smallest = Math.Min(smallest ?? double.MaxValue, q / p);
            }
        }

        return smallest;
    }

    private double? QuotaV1(CgroupLocator cgroup)
    {
        double? smallest = null;
        foreach (var dir in CgroupLocator.SelfAndAncestors(cgroup.CpuDirectory!, cgroup.MountOf(cgroup.CpuDirectory!)))
        {
            var quota = ProcFileParser.ParseNumber(_fileSystem.TryReadAllText($"{dir}/cpu.cfs_quota_us"));
            var period = ProcFileParser.ParseNumber(_fileSystem.TryReadAllText($"{dir}/cpu.cfs_period_us"));
            if (quota is > 0 && period is > 0)
            {
                smallest = Math.Min(smallest ?? double.MaxValue, (double)quota.Value / period.Value);
            }
        }

        return smallest;
    }

    // "Key\t: value" lines of /proc/cpuinfo and /proc/self/status; the first match.
    private static string? FindText(string? text, string key)
    {
        foreach (var line in (text ?? string.Empty).Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == key)
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    // "0-3,6,8-9" → 7.
    private static int? CountList(string? list)
    {
        if (string.IsNullOrWhiteSpace(list))
        {
            return null;
        }

        var count = 0;
        foreach (var range in list.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = range.Split('-');
            if (!int.TryParse(ends[0], CultureInfo.InvariantCulture, out var first))
            {
                return null;
            }

            var last = first;
            if (ends.Length == 2 && !int.TryParse(ends[1], CultureInfo.InvariantCulture, out last))
            {
                return null;
            }

            count += last - first + 1;
        }

        return count;
    }
}
