using Frugal.Memory;

namespace Frugal.Tests.Memory;

public sealed class MemoryProbeTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Read_CgroupV2_ReadsLimitUsageAnonymousAndStallOfTheBox()
    {
        using var machine = FixtureMachine.CgroupV2("2147483648");
        var probe = new MemoryProbe(machine.FileSystem, TimeProvider.System, () => 5 * MiB);

        var s = probe.Read();

        Assert.Equal(CgroupVersion.V2, s.Source);
        Assert.Equal(2048 * MiB, s.LimitBytes);
        Assert.Equal(1610612736, s.UsageBytes);
        Assert.Equal(1700000000, s.PeakUsageBytes);
        Assert.Equal(400 * MiB + 10 * MiB, s.AnonymousBytes); // anon + shmem
        Assert.Equal(1024 * MiB, s.PageCacheBytes);
        Assert.Equal(12.5, s.StallSomeAvg10); // the cgroup's own PSI, not the machine's
        Assert.Equal(4.0, s.StallFullAvg10);
        Assert.Equal(321, s.MajorPageFaults);
        Assert.Equal(0, s.OomKills);
        Assert.Equal(300 * MiB, s.ProcessRssBytes);
        Assert.Equal(100 * MiB, s.ProcessRssAnonymousBytes);
        Assert.Equal(200 * MiB, s.ProcessRssFileBytes);
        Assert.Equal(400 * MiB, s.ProcessPeakRssBytes);
        Assert.Equal(42, s.ProcessMajorPageFaults);
        Assert.Equal(5 * MiB, s.ManagedHeapBytes);
    }

    [Fact]
    public void Read_MappedModel_CountsTowardPressureButPageCacheDoesNot()
    {
        using var machine = FixtureMachine.CgroupV2("2147483648");
        var probe = new MemoryProbe(machine.FileSystem, TimeProvider.System) { ModelMappedBytes = 1116 * MiB };

        var s = probe.Read();

        Assert.Equal(410 * MiB + 1116 * MiB, s.ResidentRequiredBytes);
        Assert.Equal((410.0 + 1116) / 2048, s.PressureRatio, precision: 6);
        Assert.Equal(2048 * MiB - 1526 * MiB, s.AvailableBytes);
    }

    [Fact]
    public void Read_CgroupV2ParentSmallerThanChild_UsesTheSmallestLimit()
    {
        using var machine = FixtureMachine.CgroupV2("max", parentMax: "1073741824");

        var s = new MemoryProbe(machine.FileSystem, TimeProvider.System).Read();

        Assert.Equal(1024 * MiB, s.LimitBytes);
    }

    [Fact]
    public void Read_CgroupV2NoLimit_UsesMemTotal()
    {
        using var machine = FixtureMachine.CgroupV2("max");

        var s = new MemoryProbe(machine.FileSystem, TimeProvider.System).Read();

        Assert.Equal(16L * 1024 * MiB, s.LimitBytes);
    }

    [Fact]
    public void Read_CgroupV1_ReadsHierarchicalLimitAndTotalRssAndMachinePsi()
    {
        using var machine = FixtureMachine.CgroupV1(limitInBytes: "9223372036854771712", hierarchicalLimit: "2147483648");

        var s = new MemoryProbe(machine.FileSystem, TimeProvider.System).Read();

        Assert.Equal(CgroupVersion.V1, s.Source);
        Assert.Equal(2048 * MiB, s.LimitBytes); // an ancestor's limit applies
        Assert.Equal(1500000000, s.UsageBytes);
        Assert.Equal(1600000000, s.PeakUsageBytes);
        Assert.Equal(400000000 + 5000000, s.AnonymousBytes); // total_rss + total_shmem (children included)
        Assert.Equal(1000000000 - 5000000, s.PageCacheBytes);
        Assert.Equal(55, s.MajorPageFaults);
        Assert.Equal(2, s.OomKills);
        Assert.Equal(1.5, s.StallSomeAvg10); // /proc/pressure/memory
    }

    [Fact]
    public void Read_CgroupV1Unlimited_UsesMemTotal()
    {
        using var machine = FixtureMachine.CgroupV1(limitInBytes: "9223372036854771712", hierarchicalLimit: "9223372036854771712");

        var s = new MemoryProbe(machine.FileSystem, TimeProvider.System).Read();

        Assert.Equal(16L * 1024 * MiB, s.LimitBytes);
    }

    [Fact]
    public void Read_NoCgroup_UsesMeminfo()
    {
        using var machine = new FixtureMachine().WithProc("0::/\n");

        var s = new MemoryProbe(machine.FileSystem, TimeProvider.System).Read();

        Assert.Equal(CgroupVersion.None, s.Source);
        Assert.Equal(16L * 1024 * MiB, s.LimitBytes);
        Assert.Equal(16L * 1024 * MiB - 12L * 1024 * MiB, s.UsageBytes);
        Assert.Equal(1024 * MiB + 10 * MiB, s.AnonymousBytes);
        Assert.Equal(777, s.MajorPageFaults);
    }

    [Fact]
    public void Read_LiveMachine_GivesPlausibleFigures()
    {
        var probe = new MemoryProbe();
        var allocation = new byte[8 * MiB];
        Array.Fill(allocation, (byte)1);

        var s = probe.Read();

        GC.KeepAlive(allocation);
        Assert.InRange(s.LimitBytes, 64 * MiB, long.MaxValue);
        Assert.InRange(s.ProcessRssBytes, 8 * MiB, s.LimitBytes);
        Assert.InRange(s.ProcessRssAnonymousBytes, 8 * MiB, s.ProcessRssBytes);
        Assert.InRange(s.ManagedHeapBytes, 1, long.MaxValue);
        Assert.InRange(s.AnonymousBytes, s.Source == CgroupVersion.None ? 0 : s.ProcessRssAnonymousBytes / 2, long.MaxValue);
        Assert.NotNull(s.ProcessMajorPageFaults);
    }
}
