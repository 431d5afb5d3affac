using System.Runtime.InteropServices;

namespace Frugal.Inference.Benchmarking;

/// <summary>
/// Drops a file's pages from the page cache, so a boxed bench reads the model again and its pages are
/// charged to the box (cgroup v1 leaves pages charged to whoever first read them, which would make the
/// box's peak look smaller than a real small server's).
/// </summary>
internal static partial class PageCache
{
    private const int DontNeed = 4; // POSIX_FADV_DONTNEED on Linux

    public static void Drop(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        _ = PosixFadvise((int)handle.DangerousGetHandle(), 0, 0, DontNeed);
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
