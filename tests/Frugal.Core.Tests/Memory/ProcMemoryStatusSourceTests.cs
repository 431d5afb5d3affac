using Frugal.Memory;

namespace Frugal.Tests.Memory;

public sealed class ProcMemoryStatusSourceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("frugal-memory-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void GetStatus_CgroupV1WithLimit_ReadsNestedGroup()
    {
        Write("proc/self/cgroup", "5:devices:/\n4:memory:/box/a1\n0::/\n");
        Write("proc/self/status", "Name:\tfrugal\nVmRSS:\t  204800 kB\n");
        Write("sys/fs/cgroup/memory/box/a1/memory.limit_in_bytes", "2147483648\n");
        Write("sys/fs/cgroup/memory/box/a1/memory.usage_in_bytes", "1073741824\n");

        var status = new ProcMemoryStatusSource(_root).GetStatus();

        Assert.Equal(new MemoryStatus(2147483648, 1073741824, 1073741824, 204800L * 1024), status);
    }

    [Fact]
    public void GetStatus_CgroupV2AtMountRoot_ReadsMountFiles()
    {
        Write("proc/self/cgroup", "0::/\n");
        Write("sys/fs/cgroup/memory.max", "1610612736\n");
        Write("sys/fs/cgroup/memory.current", "536870912\n");

        var status = new ProcMemoryStatusSource(_root).GetStatus();

        Assert.Equal(1610612736, status.LimitBytes);
        Assert.Equal(536870912, status.UsedBytes);
        Assert.Equal(1073741824, status.AvailableBytes);
        Assert.Null(status.ProcessRssBytes);
    }

    [Fact]
    public void GetStatus_NoCgroupLimit_FallsBackToMeminfo()
    {
        Write("proc/self/cgroup", "4:memory:/\n0::/\n");
        Write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        Write("sys/fs/cgroup/memory.max", "max\n");
        Write("proc/meminfo", "MemTotal:        4000 kB\nMemFree:         1000 kB\nMemAvailable:    3000 kB\n");

        var status = new ProcMemoryStatusSource(_root).GetStatus();

        Assert.Equal(new MemoryStatus(4000 * 1024, 1000 * 1024, 3000 * 1024, null), status);
    }

    [Fact]
    public void GetStatus_NoFilesAtAll_ReturnsNulls()
    {
        var status = new ProcMemoryStatusSource(_root).GetStatus();

        Assert.Equal(new MemoryStatus(null, null, null, null), status);
    }

    private void Write(string relativePath, string text)
    {
        var path = Path.Join(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
