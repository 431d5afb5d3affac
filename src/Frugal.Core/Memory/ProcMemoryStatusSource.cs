using System.Globalization;

namespace Frugal.Memory;

/// <summary>
/// Reads memory figures from Linux's <c>/proc</c> and cgroup files (v2 <c>memory.max</c>/<c>memory.current</c>,
/// v1 <c>memory.limit_in_bytes</c>/<c>memory.usage_in_bytes</c>), falling back to <c>/proc/meminfo</c>
/// when the process has no cgroup limit. On other systems every figure is null.
/// </summary>
public sealed class ProcMemoryStatusSource : IMemoryStatusSource
{
    // cgroup v1 writes "no limit" as the largest page-aligned long.
    private const long UnlimitedThreshold = long.MaxValue / 2;
    private readonly string _root;

    /// <summary>Reads the real system files.</summary>
    public ProcMemoryStatusSource()
        : this("/")
    {
    }

    /// <summary>Reads the files under <paramref name="root"/> instead of <c>/</c> (tests use a directory of fixture files).</summary>
    public ProcMemoryStatusSource(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = root;
    }

    /// <inheritdoc/>
    public MemoryStatus GetStatus()
    {
        var rss = ReadKibibytesField("proc/self/status", "VmRSS:");
        var (limit, used) = ReadCgroup();
        if (limit is null)
        {
            var total = ReadKibibytesField("proc/meminfo", "MemTotal:");
            var available = ReadKibibytesField("proc/meminfo", "MemAvailable:");
            return new MemoryStatus(total, total - available, available, rss);
        }

        return new MemoryStatus(limit, used, used is { } u ? Math.Max(0, limit.Value - u) : null, rss);
    }

    private (long? Limit, long? Used) ReadCgroup()
    {
        string? v2Path = null;
        string? v1Path = null;
        foreach (var line in ReadLines("proc/self/cgroup"))
        {
            // "0::/path" is the v2 hierarchy; "4:memory:/path" (or "4:memory,xyz:/path") is v1's memory controller.
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            if (parts[0] == "0" && parts[1].Length == 0)
            {
                v2Path = parts[2];
            }
            else if (parts[1].Split(',').Contains("memory"))
            {
                v1Path = parts[2];
            }
        }

        if (v1Path is not null)
        {
            var limit = ReadFirstExisting(v1Path, "sys/fs/cgroup/memory", "memory.limit_in_bytes");
            if (limit is < UnlimitedThreshold)
            {
                return (limit, ReadFirstExisting(v1Path, "sys/fs/cgroup/memory", "memory.usage_in_bytes"));
            }
        }

        if (v2Path is not null)
        {
            var limit = ReadFirstExisting(v2Path, "sys/fs/cgroup", "memory.max");
            if (limit is not null)
            {
                return (limit, ReadFirstExisting(v2Path, "sys/fs/cgroup", "memory.current"));
            }
        }

        return (null, null);
    }

    // Inside a container the process's cgroup path may not exist under the mount (it is the mount's root).
    private long? ReadFirstExisting(string cgroupPath, string mount, string file)
    {
        var nested = Path.Join(mount, cgroupPath.TrimStart('/'), file);
        return ReadNumber(nested) ?? ReadNumber(Path.Join(mount, file));
    }

    private long? ReadNumber(string relativePath)
    {
        var text = ReadAllText(relativePath)?.Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private long? ReadKibibytesField(string relativePath, string field)
    {
        foreach (var line in ReadLines(relativePath))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var number = line[field.Length..].Trim().Split(' ')[0];
                return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib * 1024 : null;
            }
        }

        return null;
    }

    private IEnumerable<string> ReadLines(string relativePath) =>
        ReadAllText(relativePath)?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [];

    private string? ReadAllText(string relativePath)
    {
        try
        {
            return File.ReadAllText(Path.Join(_root, relativePath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
