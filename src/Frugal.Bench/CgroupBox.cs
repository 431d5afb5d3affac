using System.Globalization;

namespace Frugal.Bench;

/// <summary>
/// A fresh cgroup that simulates a small server: a CPU quota, a memory limit and no swap (cgroup v1
/// memory+cpu controllers, or v2), as <c>../shared/tools/in-box</c> makes one. A command joins it through
/// <see cref="JoinCommand"/> before it starts, so everything it allocates is charged to the box.
/// </summary>
internal sealed class CgroupBox : IDisposable
{
    private const string Root = "/sys/fs/cgroup";
    private readonly string? _cpuDirectory;

    private CgroupBox(BenchBox box, string memoryDirectory, string? cpuDirectory)
    {
        Box = box;
        MemoryDirectory = memoryDirectory;
        _cpuDirectory = cpuDirectory;
    }

    public BenchBox Box { get; }

    /// <summary>The directory of the memory controller (v1) or of the whole cgroup (v2).</summary>
    public string MemoryDirectory { get; }

    /// <summary>A shell fragment that moves the shell running it into the box.</summary>
    public string JoinCommand => _cpuDirectory is null
        ? $"echo $$ > {MemoryDirectory}/cgroup.procs"
        : $"echo $$ > {MemoryDirectory}/cgroup.procs && echo $$ > {_cpuDirectory}/cgroup.procs";

    /// <summary>Creates a box of <paramref name="cpus"/> CPUs and <paramref name="memoryBytes"/> bytes.</summary>
    /// <exception cref="InvalidOperationException">No usable cgroup hierarchy, or no permission to create one.</exception>
    public static CgroupBox Create(int cpus, long memoryBytes)
    {
        var name = $"frugal-bench-{Environment.ProcessId}-{Random.Shared.Next(100000)}";
        var quota = (cpus * 100000).ToString(CultureInfo.InvariantCulture);
        var limit = memoryBytes.ToString(CultureInfo.InvariantCulture);
        try
        {
            if (File.Exists($"{Root}/memory/memory.limit_in_bytes"))
            {
                var memory = Directory.CreateDirectory($"{Root}/memory/{name}").FullName;
                var cpu = Directory.CreateDirectory($"{Root}/cpu/{name}").FullName;
                File.WriteAllText($"{memory}/memory.limit_in_bytes", limit);
                TryWrite($"{memory}/memory.memsw.limit_in_bytes", limit);
                TryWrite($"{memory}/memory.swappiness", "0");
                File.WriteAllText($"{cpu}/cpu.cfs_period_us", "100000");
                File.WriteAllText($"{cpu}/cpu.cfs_quota_us", quota);
                return new CgroupBox(new BenchBox(cpus, memoryBytes, "v1"), memory, cpu);
            }

            if (File.Exists($"{Root}/cgroup.controllers"))
            {
                TryWrite($"{Root}/cgroup.subtree_control", "+memory +cpu");
                var group = Directory.CreateDirectory($"{Root}/{name}").FullName;
                File.WriteAllText($"{group}/memory.max", limit);
                TryWrite($"{group}/memory.swap.max", "0");
                File.WriteAllText($"{group}/cpu.max", $"{quota} 100000");
                return new CgroupBox(new BenchBox(cpus, memoryBytes, "v2"), group, null);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot create a cgroup for --box (root and cgroup v1 or v2 needed): {e.Message}", e);
        }

        throw new InvalidOperationException("cannot create a cgroup for --box: no cgroup v1 or v2 hierarchy under /sys/fs/cgroup");
    }

    /// <summary>Times the kernel's OOM killer struck inside the box.</summary>
    public long OomKills()
    {
        var file = Box.CgroupVersion == "v1" ? "memory.oom_control" : "memory.events";
        try
        {
            var line = File.ReadLines(Path.Combine(MemoryDirectory, file)).FirstOrDefault(l => l.StartsWith("oom_kill ", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.AsSpan("oom_kill ".Length), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The box's peak memory in bytes.</summary>
    public long Peak()
    {
        var file = Box.CgroupVersion == "v1" ? "memory.max_usage_in_bytes" : "memory.peak";
        try
        {
            return long.Parse(File.ReadAllText(Path.Combine(MemoryDirectory, file)).Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return 0;
        }
    }

    public void Dispose()
    {
        foreach (var directory in new[] { MemoryDirectory, _cpuDirectory })
        {
            try
            {
                if (directory is not null)
                {
                    Directory.Delete(directory);
                }
            }
            catch (IOException)
            {
                // A process still inside keeps the cgroup alive; the kernel removes nothing by itself, but nothing breaks.
            }
        }
    }

    private static void TryWrite(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Optional knob (swap accounting may be off); the limit itself was set.
        }
    }
}
