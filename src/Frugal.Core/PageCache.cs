using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Frugal;

/// <summary>
/// Drops a file's pages from the page cache (<c>POSIX_FADV_DONTNEED</c>; nothing on other systems). In a memory
/// cgroup those pages are charged to the box like any other memory: a kept session state is read back at most
/// once, and a cold read costs tens of milliseconds, so keeping its pages only takes room from the model's own;
/// a boxed bench drops the model's pages so it reads them again and they are charged to the box (cgroup v1
/// leaves pages charged to whoever first read them). A model file just written (<c>model synth</c>, <c>model
/// pull</c>) is dropped too: written pages stay in the cache as 4 KiB pages, while pages read back through
/// readahead come in large folios that llama.cpp's mapping maps as 2 MiB pages, and decoding from small pages was
/// ≈13 % slower (bench/RESULTS.md, issue 18).
/// </summary>
public static partial class PageCache
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
    public static void Drop(SafeFileHandle file) => Drop(file, 0, 0);

    /// <summary>
    /// Drops the cached pages of <paramref name="length"/> bytes of an open file from <paramref name="offset"/> (0: to
    /// the end); clean pages nobody maps only.
    /// </summary>
    public static void Drop(SafeFileHandle file, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (OperatingSystem.IsLinux() && !file.IsInvalid)
        {
            _ = WithDescriptor(file, fd => PosixFadvise(fd, offset, length, DontNeed));
        }
    }

    /// <summary>
    /// How many bytes of the file at <paramref name="path"/> are in the page cache (<c>mincore</c> over a read-only
    /// mapping); -1 where that cannot be told (not Linux, or the mapping failed).
    /// </summary>
    public static long ResidentBytes(string path)
    {
        var length = new FileInfo(path).Length;
        if (!OperatingSystem.IsLinux() || length == 0)
        {
            return OperatingSystem.IsLinux() ? 0 : -1;
        }

        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        return WithDescriptor(file, fd => CachedBytes(fd, 0, length));
    }

    /// <summary>Runs <paramref name="use"/> with the descriptor of <paramref name="file"/>, held open while it runs.</summary>
    private static T WithDescriptor<T>(SafeFileHandle file, Func<int, T> use)
    {
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return use((int)file.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    private const int ProtRead = 1;
    private const int MapShared = 1;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static unsafe partial int Mincore(nint address, nuint length, byte* vector);

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);
}
