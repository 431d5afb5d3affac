using System.Runtime.InteropServices;

namespace Frugal.Bench;

/// <summary>
/// The CPU time the calling thread has run (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>). On a machine shared with other work a
/// rate per CPU second stays what the core achieves while it runs, where a rate per wall second also counts the time
/// the thread waited for the core; the bench reports both.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ThreadCpuTimeClock = 3;

    /// <summary>Whether this platform has the clock (Linux); elsewhere <see cref="Seconds"/> is NaN.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>Seconds of CPU the calling thread has used so far, or NaN where unsupported.</summary>
    public static double Seconds()
    {
        if (!IsSupported || clock_gettime(ThreadCpuTimeClock, out var time) != 0)
        {
            return double.NaN;
        }

        return time.Seconds + (time.Nanoseconds / 1e9);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int clock_gettime(int clock, out TimeSpec time);
}
