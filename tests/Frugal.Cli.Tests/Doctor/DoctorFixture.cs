using Frugal.Memory;

namespace Frugal.Tests.Doctor;

/// <summary>A temporary directory laid out like a healthy cgroup v2 box (2 cores, 1 core quota, 2 GiB, no swap) that tests spoil one file at a time.</summary>
internal sealed class DoctorFixture : IDisposable
{
    public DoctorFixture()
    {
        Root = Directory.CreateTempSubdirectory("frugal-doctor-").FullName;
        With("proc/self/cgroup", "0::/box\n")
            .With("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu avx avx2 fma\n\nprocessor\t: 1\nflags\t\t: fpu avx avx2 fma\n")
            .With("sys/devices/system/cpu/online", "0-1\n")
            .With("proc/self/status", "VmRSS:\t 1000 kB\nRssAnon:\t 500 kB\nRssFile:\t 500 kB\nCpus_allowed_list:\t0-1\n")
            .With("proc/meminfo", "MemTotal:       16777216 kB\nMemAvailable:   12582912 kB\nSwapTotal:             0 kB\n")
            .With("proc/sys/vm/overcommit_memory", "0\n")
            .With("sys/kernel/mm/transparent_hugepage/enabled", "always [madvise] never\n")
            .With("sys/kernel/mm/transparent_hugepage/defrag", "always defer defer+madvise [madvise] never\n")
            .With("sys/fs/cgroup/cgroup.controllers", "cpu memory\n")
            .With("sys/fs/cgroup/box/memory.max", "2147483648\n")
            .With("sys/fs/cgroup/box/memory.current", "104857600\n")
            .With("sys/fs/cgroup/box/memory.stat", "anon 52428800\nfile 52428800\nshmem 0\npgmajfault 0\n")
            .With("sys/fs/cgroup/box/cpu.max", "100000 100000\n");
    }

    public string Root { get; }

    public IFileSystem FileSystem => new PhysicalFileSystem(Root);

    public string DataDirectory => Path.Join(Root, "data");

    public DoctorFixture With(string path, string content)
    {
        var full = Path.Join(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return this;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
