using Frugal.Memory;

namespace Frugal.Tests.Memory;

/// <summary>A temporary directory laid out like a machine's <c>/</c> (proc/, sys/fs/cgroup/) for the probes.</summary>
internal sealed class FixtureMachine : IDisposable
{
    public FixtureMachine()
    {
        Root = Directory.CreateTempSubdirectory("frugal-fixture-").FullName;
        FileSystem = new PhysicalFileSystem(Root);
    }

    public string Root { get; }

    public PhysicalFileSystem FileSystem { get; }

    public FixtureMachine With(string path, string content)
    {
        var full = Path.Join(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return this;
    }

    /// <summary>The /proc files every machine has: 16 GiB of memory, a process of 300 MiB (100 anon + 200 file).</summary>
    public FixtureMachine WithProc(string cgroupMembership) =>
        With("proc/self/cgroup", cgroupMembership)
            .With("proc/meminfo", "MemTotal:       16777216 kB\nMemFree:         1000000 kB\nMemAvailable:   12582912 kB\nCached:          2097152 kB\nShmem:             10240 kB\nAnonPages:       1048576 kB\n")
            .With("proc/self/status", "Name:\tfrugal\nVmHWM:\t  409600 kB\nVmRSS:\t  307200 kB\nRssAnon:\t  102400 kB\nRssFile:\t  204800 kB\nRssShmem:\t       0 kB\n")
            .With("proc/self/stat", "1234 (frugal (x) y) S 1 1234 1234 0 -1 4194560 5000 0 42 0 10 5 0 0 20 0 12 0 100 1000000 2000\n")
            .With("proc/vmstat", "pgfault 100\npgmajfault 777\n")
            .With("proc/pressure/memory", "some avg10=1.50 avg60=0.50 avg300=0.10 total=123\nfull avg10=0.25 avg60=0.00 avg300=0.00 total=12\n");

    /// <summary>A cgroup v2 machine whose process sits in /box with the given memory.max.</summary>
    public static FixtureMachine CgroupV2(string memoryMax, string? parentMax = null)
    {
        var machine = new FixtureMachine().WithProc("0::/box\n")
            .With("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n")
            .With("sys/fs/cgroup/box/memory.max", memoryMax + "\n")
            .With("sys/fs/cgroup/box/memory.current", "1610612736\n")
            .With("sys/fs/cgroup/box/memory.peak", "1700000000\n")
            .With("sys/fs/cgroup/box/memory.stat", "anon 419430400\nfile 1073741824\nkernel 1000\nshmem 10485760\nfile_mapped 1000\npgfault 5\npgmajfault 321\n")
            .With("sys/fs/cgroup/box/memory.pressure", "some avg10=12.50 avg60=3.00 avg300=1.00 total=9\nfull avg10=4.00 avg60=1.00 avg300=0.00 total=3\n")
            .With("sys/fs/cgroup/box/memory.events", "low 0\nhigh 0\nmax 3\noom 0\noom_kill 0\n")
            .With("sys/fs/cgroup/box/cpu.max", "150000 100000\n");
        if (parentMax is not null)
        {
            machine.With("proc/self/cgroup", "0::/outer/box\n")
                .With("sys/fs/cgroup/outer/memory.max", parentMax + "\n");
            foreach (var file in Directory.GetFiles(Path.Join(machine.Root, "sys/fs/cgroup/box")))
            {
                machine.With($"sys/fs/cgroup/outer/box/{Path.GetFileName(file)}", File.ReadAllText(file));
            }
        }

        return machine;
    }

    /// <summary>A cgroup v1 machine whose process sits in /box of the memory and cpu hierarchies.</summary>
    public static FixtureMachine CgroupV1(string limitInBytes, string hierarchicalLimit) =>
        new FixtureMachine().WithProc("9:cpu,cpuacct:/box\n4:memory:/box\n1:name=systemd:/\n")
            .With("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n")
            .With("sys/fs/cgroup/memory/box/memory.limit_in_bytes", limitInBytes + "\n")
            .With("sys/fs/cgroup/memory/box/memory.usage_in_bytes", "1500000000\n")
            .With("sys/fs/cgroup/memory/box/memory.max_usage_in_bytes", "1600000000\n")
            .With("sys/fs/cgroup/memory/box/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n")
            .With("sys/fs/cgroup/memory/box/memory.stat",
                "cache 900000000\nrss 300000000\nrss_huge 0\nshmem 5000000\npgmajfault 10\n" +
                $"hierarchical_memory_limit {hierarchicalLimit}\n" +
                "total_cache 1000000000\ntotal_rss 400000000\ntotal_rss_huge 0\ntotal_shmem 5000000\ntotal_pgmajfault 55\n")
            .With("sys/fs/cgroup/cpu/box/cpu.cfs_quota_us", "100000\n")
            .With("sys/fs/cgroup/cpu/box/cpu.cfs_period_us", "100000\n");

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
