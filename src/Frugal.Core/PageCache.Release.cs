using Microsoft.Win32.SafeHandles;

namespace Frugal;

/// <summary>
/// Giving back the pages of parts of a mapped file that nothing reads any more: the weights llama.cpp copied into its
/// repacked buffer at load are read from its mapping of the model file once, and their pages would otherwise stay mapped
/// and cached — memory the box counts — until the kernel reclaims them.
/// </summary>
public static partial class PageCache
{
    private const int MadviseDontNeed = 4; // MADV_DONTNEED

    /// <summary>
    /// Unmaps <paramref name="ranges"/> (offsets in the file, page-aligned) from every mapping this process holds of the
    /// file the kernel names <paramref name="mappedPath"/> (<c>MADV_DONTNEED</c>: the mapping stays, and a read would fault
    /// the page back in from the file) and drops them from the page cache (<c>POSIX_FADV_DONTNEED</c> on
    /// <paramref name="file"/>: pages another mapping still maps stay, and so does a large folio that reaches beyond a
    /// range). Returns the bytes of the ranges cached before and not after; 0 on other systems.
    /// </summary>
    public static long Release(SafeFileHandle file, string? mappedPath, IReadOnlyList<(long Offset, long Length)> ranges)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(ranges);
        if (!OperatingSystem.IsLinux() || file.IsInvalid || ranges.Count == 0)
        {
            return 0;
        }

        return WithDescriptor(file, fd =>
        {
            var before = ranges.Sum(r => Math.Max(0, CachedBytes(fd, r.Offset, r.Length)));
            var areas = mappedPath is null ? [] : MappedAreas(mappedPath).ToList();
            foreach (var (offset, length) in ranges)
            {
                foreach (var area in areas)
                {
                    var from = Math.Max(offset, area.Offset);
                    var to = Math.Min(offset + length, area.Offset + (area.End - area.Start));
                    if (to > from)
                    {
                        _ = Madvise(area.Start + (nint)(from - area.Offset), (nuint)(to - from), MadviseDontNeed);
                    }
                }

                _ = PosixFadvise(fd, offset, length, DontNeed);
            }

            return Math.Max(0, before - ranges.Sum(r => Math.Max(0, CachedBytes(fd, r.Offset, r.Length))));
        });
    }

    /// <summary>Bytes of <paramref name="length"/> from <paramref name="offset"/> (page-aligned) of the file in the page cache; 0 where that cannot be told.</summary>
    internal static long CachedBytes(SafeFileHandle file, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(file);
        return OperatingSystem.IsLinux() && !file.IsInvalid ? Math.Max(0, WithDescriptor(file, fd => CachedBytes(fd, offset, length))) : 0;
    }

    // mincore over a fresh read-only mapping of the range: whether each page is in the page cache, whoever maps it; -1
    // where the mapping fails.
    private static unsafe long CachedBytes(int fd, long offset, long length)
    {
        if (length <= 0)
        {
            return 0;
        }

        var address = Mmap(0, (nuint)length, ProtRead, MapShared, fd, offset);
        if (address == -1)
        {
            return -1;
        }

        try
        {
            var page = Environment.SystemPageSize;
            var pages = new byte[(length + page - 1) / page];
            fixed (byte* vector = pages)
            {
                if (Mincore(address, (nuint)length, vector) != 0)
                {
                    return -1;
                }
            }

            return Math.Min(length, (long)pages.Count(p => (p & 1) != 0) * page);
        }
        finally
        {
            _ = Munmap(address, (nuint)length);
        }
    }
}
