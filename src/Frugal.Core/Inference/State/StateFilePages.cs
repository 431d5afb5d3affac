using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Frugal.Inference.State;

/// <summary>
/// Drops a state file's pages from the page cache once it is written or read. In a memory cgroup those
/// pages are charged to the box like any other memory; a state is read back at most once, and a cold
/// read costs tens of milliseconds, so keeping them cached only takes room from the model's own pages.
/// </summary>
internal static partial class StateFilePages
{
    private const int DontNeed = 4; // POSIX_FADV_DONTNEED

    /// <summary>Advises the kernel to drop the file's cached pages (clean ones: call after the data is on disk).</summary>
    public static void Drop(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux() || file.IsInvalid)
        {
            return;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            _ = PosixFadvise((int)file.DangerousGetHandle(), 0, 0, DontNeed);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
