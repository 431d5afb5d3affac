using System.Globalization;

namespace Frugal.Bench;

/// <summary>
/// Follows memory while a bench runs: the peak total (the cgroup's own peak counter when the bench
/// runs boxed, else the process's VmHWM) and, sampled every 50 ms, the peak anonymous and file-backed
/// parts (cgroup <c>memory.stat</c>, else <c>/proc/self/status</c> RssAnon/RssFile).
/// </summary>
internal sealed class MemoryPeakSampler : IDisposable
{
    private readonly string? _cgroup;
    private readonly string _procStatus;
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private long _peakAnonymous;
    private long _peakFile;

    /// <param name="cgroupDirectory">The box's cgroup directory (v1 memory controller or v2), or null for the process.</param>
    /// <param name="procStatus">The process status file (a seam for tests).</param>
    public MemoryPeakSampler(string? cgroupDirectory, string procStatus = "/proc/self/status")
    {
        _cgroup = cgroupDirectory;
        _procStatus = procStatus;
        Sample();
        _timer = new Timer(_ => Sample(), null, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(50));
    }

    /// <summary>"cgroup" or "process".</summary>
    public string Source => _cgroup is null ? "process" : "cgroup";

    /// <summary>Takes one more sample and returns the peaks so far: total, anonymous, file-backed.</summary>
    public (long Total, long Anonymous, long File) Peaks()
    {
        Sample();
        long total;
        if (_cgroup is null)
        {
            total = ReadKeyed(_procStatus, "VmHWM:") * 1024;
        }
        else
        {
            // The process's own high-water mark too: pages charged outside the box still count here.
            total = Math.Max(
                ReadNumber(Path.Combine(_cgroup, "memory.peak")) ?? ReadNumber(Path.Combine(_cgroup, "memory.max_usage_in_bytes")) ?? 0,
                ReadKeyed(_procStatus, "VmHWM:") * 1024);
        }

        lock (_gate)
        {
            return (Math.Max(total, _peakAnonymous), _peakAnonymous, _peakFile);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        long anonymous, file;
        if (_cgroup is null)
        {
            anonymous = ReadKeyed(_procStatus, "RssAnon:") * 1024;
            file = (ReadKeyed(_procStatus, "RssFile:") + ReadKeyed(_procStatus, "RssShmem:")) * 1024;
        }
        else
        {
            var stat = Path.Combine(_cgroup, "memory.stat");
            // v2 names them anon/file; v1 rss/cache.
            anonymous = ReadKeyed(stat, "anon ") + ReadKeyed(stat, "rss ");
            file = ReadKeyed(stat, "file ") + ReadKeyed(stat, "cache ");
        }

        lock (_gate)
        {
            _peakAnonymous = Math.Max(_peakAnonymous, anonymous);
            _peakFile = Math.Max(_peakFile, file);
        }
    }

    private static long? ReadNumber(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The first number on the line starting with <paramref name="key"/>; 0 when absent.</summary>
    private static long ReadKeyed(string path, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var number = line.AsSpan(key.Length).Trim();
                    var end = number.IndexOf(' ');
                    return long.TryParse(end < 0 ? number : number[..end], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
                }
            }
        }
        catch (IOException)
        {
            // A vanished file reads as nothing measured.
        }

        return 0;
    }
}
