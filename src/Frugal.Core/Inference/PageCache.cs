using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Frugal.Inference;

/// <summary>
/// Drops a file's pages from the page cache (<c>POSIX_FADV_DONTNEED</c>; nothing on other systems). In a memory
/// cgroup those pages are charged to the box like any other memory: a kept session state is read back at most
/// once, and a cold read costs tens of milliseconds, so keeping its pages only takes room from the model's own;
/// a boxed bench drops the model's pages so it reads them again and they are charged to the box (cgroup v1
/// leaves pages charged to whoever first read them).
/// </summary>
internal static partial class PageCache
{
    private const int DontNeed = 4; // POSIX_FADV_DONTNEED

    /// <summary>Drops the cached pages of the file at <paramref name="path"/> (clean ones; dirty ones are only queued for write-back).</summary>
    public static void Drop(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        Drop(file);
    }

    /// <summary>Drops the cached pages of an open file (clean ones: call after the data is on disk).</summary>
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
