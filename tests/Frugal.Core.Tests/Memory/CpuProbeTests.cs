using Frugal.Memory;

namespace Frugal.Tests.Memory;

public sealed class CpuProbeTests
{
    private const string CpuInfo =
        "processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512_vnni\n\nprocessor\t: 1\nmodel name\t: Test CPU\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512_vnni\n";

    [Fact]
    public void Read_CgroupV2Quota_GivesCoresAndEffectiveThreads()
    {
        using var machine = FixtureMachine.CgroupV2("max")
            .With("proc/cpuinfo", CpuInfo)
            .With("sys/devices/system/cpu/online", "0-3\n")
            .With("proc/self/status", "Name:\tfrugal\nCpus_allowed_list:\t0-3\n");

        var cpu = new CpuProbe(machine.FileSystem).Read();

        Assert.Equal(4, cpu.OnlineCpus);
        Assert.Equal(4, cpu.AllowedCpus);
        Assert.Equal(1.5, cpu.QuotaCores);
        Assert.Equal(CgroupVersion.V2, cpu.Source);
        Assert.Equal(1.5, cpu.EffectiveCores);
        Assert.Equal(1, cpu.ComputeThreads);
        Assert.Equal("Test CPU", cpu.ModelName);
        Assert.True(cpu.HasVnni);
        Assert.Equal("avx512", cpu.LlamaBuild);
    }

    [Fact]
    public void Read_CgroupV1QuotaAndAffinity_TakesTheSmaller()
    {
        using var machine = FixtureMachine.CgroupV1("2147483648", "2147483648")
            .With("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu avx\n")
            .With("sys/devices/system/cpu/online", "0-7\n")
            .With("proc/self/status", "Cpus_allowed_list:\t2,5\n")
            .With("sys/fs/cgroup/cpu/box/cpu.cfs_quota_us", "400000\n");

        var cpu = new CpuProbe(machine.FileSystem).Read();

        Assert.Equal(8, cpu.OnlineCpus);
        Assert.Equal(2, cpu.AllowedCpus);
        Assert.Equal(4.0, cpu.QuotaCores);
        Assert.Equal(2, cpu.EffectiveCores);
        Assert.Equal(2, cpu.ComputeThreads);
        Assert.Equal("avx", cpu.LlamaBuild);
        Assert.False(cpu.HasVnni);
    }

    [Fact]
    public void Read_V1UnlimitedQuota_HasNoQuota()
    {
        using var machine = FixtureMachine.CgroupV1("2147483648", "2147483648")
            .With("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu\n")
            .With("sys/fs/cgroup/cpu/box/cpu.cfs_quota_us", "-1\n");

        var cpu = new CpuProbe(machine.FileSystem).Read();

        Assert.Null(cpu.QuotaCores);
        Assert.Equal(CgroupVersion.None, cpu.Source);
        Assert.Equal("noavx", cpu.LlamaBuild);
    }

    [Fact]
    public void Read_LiveMachine_AgreesWithTheRuntime()
    {
        var cpu = new CpuProbe().Read();

        Assert.InRange(cpu.AllowedCpus, 1, cpu.OnlineCpus);
        Assert.InRange(cpu.ComputeThreads, 1, cpu.AllowedCpus);
        // The runtime rounds a quota up and also honours affinity.
        Assert.Equal(Environment.ProcessorCount, (int)Math.Ceiling(cpu.EffectiveCores - 1e-9));
    }
}
