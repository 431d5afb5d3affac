using System.Diagnostics;

namespace Frugal.Bench.Tests;

/// <summary>The calling thread's CPU clock: it runs only while the thread runs.</summary>
public sealed class ThreadCpuClockTests
{
    [Fact]
    public void Seconds_WhileTheThreadSpins_AdvancesNoFasterThanTheWallClock()
    {
        Assert.True(ThreadCpuClock.IsSupported);
        var wall = Stopwatch.StartNew();
        var started = ThreadCpuClock.Seconds();
        var spins = 0L;
        while (ThreadCpuClock.Seconds() - started < 0.05)
        {
            spins++;
        }

        var cpu = ThreadCpuClock.Seconds() - started;
        wall.Stop();

        Assert.True(spins > 0);
        Assert.InRange(cpu, 0.05, wall.Elapsed.TotalSeconds + 1e-3);
    }

    [Fact]
    public void Seconds_WhileTheThreadSleeps_StaysBehindTheWallClock()
    {
        var wall = Stopwatch.StartNew();
        var started = ThreadCpuClock.Seconds();
        Thread.Sleep(300);
        var cpu = ThreadCpuClock.Seconds() - started;

        Assert.InRange(cpu, 0, wall.Elapsed.TotalSeconds / 2);
    }
}
