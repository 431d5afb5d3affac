using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Frugal;

/// <summary>
/// The model's weights in 2 MiB pages. Decoding reads every weight once a token, and from a page cache that holds the
/// file in 4 KiB pages it ran 0.86–0.88x as fast as from one that holds it in 2 MiB folios, which llama.cpp's mapping
/// then maps with one TLB entry each (TinyLlama Q8_0 in the 1 CPU / 2 GiB box, bench/RESULTS.md, issue 18). Which one the
/// cache holds is up to the kernel: a read through readahead gives large folios (where the file system has them: ext4
/// from Linux 6.16, xfs earlier), but pages reclaimed while the server idles — memory pressure, or a host that pages out
/// idle memory — come back on the next fault in small ones unless the mapping asks for huge pages, and a file just
/// copied stays in small ones. So before llama.cpp maps the file, <see cref="PrepareHugePages"/> reads the cache's state
/// and, when it is small pages and the kernel can give large ones, reads the file back in large folios; after the load,
/// <see cref="AdviseHugePages"/> asks for huge pages on llama.cpp's own mapping (<c>MADV_HUGEPAGE</c>), so what is
/// paged out later comes back in them.
/// </summary>
public static partial class PageCache
{
    /// <summary>The size of a PMD-mapped huge page on x86-64 and arm64 with 4 KiB base pages.</summary>
    public const long HugePageBytes = 2L << 20;

    /// <summary>The share of the file in huge pages below which the cache is read back.</summary>
    internal const double HugeEnough = 0.9;

    private const int MadviseHugePage = 14;
    private const int MadvisePopulateRead = 22;

    /// <summary>
    /// Reads how much of the file a fresh mapping that asks for huge pages maps in 2 MiB pages (populating what is not
    /// cached, in large folios where the kernel gives them); when that is under 90 % and a probe of one 4 MiB window
    /// shows the kernel gives this file large folios, drops the file's cached pages that nobody maps and reads it back
    /// through that mapping. Pages another process maps are left as they are. Never changes the file.
    /// </summary>
    public static HugePageReport PrepareHugePages(SafeFileHandle file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!OperatingSystem.IsLinux())
        {
            return new HugePageReport(HugePageOutcome.NotLinux, 0, 0, 0, TimeSpan.Zero);
        }

        var length = RandomAccess.GetLength(file);
        if (length < 2 * HugePageBytes)
        {
            return new HugePageReport(HugePageOutcome.TooSmall, length, 0, 0, TimeSpan.Zero);
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            var fd = (int)file.DangerousGetHandle();
            var before = HugeBytesOfFreshMapping(fd, 0, length);
            if (before < 0)
            {
                return new HugePageReport(HugePageOutcome.Unsupported, length, 0, 0, TimeSpan.Zero);
            }

            if (before >= HugeEnough * length)
            {
                return new HugePageReport(HugePageOutcome.AlreadyHuge, length, before, before, TimeSpan.Zero);
            }

            // A window in the middle, aligned to a huge page in the file (a PMD maps a 2 MiB-aligned part of it).
            var window = length / 2 / HugePageBytes * HugePageBytes;
            window = Math.Min(window, length - (2 * HugePageBytes)) / HugePageBytes * HugePageBytes;
            _ = PosixFadvise(fd, window, 2 * HugePageBytes, DontNeed);
            if (HugeBytesOfFreshMapping(fd, window, 2 * HugePageBytes) <= 0)
            {
                return new HugePageReport(HugePageOutcome.Unsupported, length, before, before, TimeSpan.Zero);
            }

            var started = Stopwatch.GetTimestamp();
            _ = PosixFadvise(fd, 0, 0, DontNeed);
            var after = HugeBytesOfFreshMapping(fd, 0, length);
            return new HugePageReport(HugePageOutcome.Reread, length, before, Math.Max(after, 0), Stopwatch.GetElapsedTime(started));
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Asks for huge pages (<c>MADV_HUGEPAGE</c>) on every mapping this process holds of the file at
    /// <paramref name="mappedPath"/> (as <c>/proc/self/maps</c> names it) — llama.cpp's, after it loaded the model — and
    /// returns what they map: resident bytes and bytes in 2 MiB pages. (0, 0) where there is no such mapping or on
    /// other systems.
    /// </summary>
    public static (long Resident, long Huge) AdviseHugePages(string mappedPath)
    {
        ArgumentNullException.ThrowIfNull(mappedPath);
        if (!OperatingSystem.IsLinux())
        {
            return (0, 0);
        }

        long resident = 0, huge = 0;
        foreach (var area in MappedAreas(mappedPath))
        {
            _ = Madvise(area.Start, (nuint)(area.End - area.Start), MadviseHugePage);
            resident += area.Resident;
            huge += area.Huge;
        }

        return (resident, huge);
    }

    /// <summary>The path under which the kernel names the open file in <c>/proc/self/maps</c>, or null.</summary>
    public static string? MappedName(SafeFileHandle file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!OperatingSystem.IsLinux() || file.IsInvalid)
        {
            return null;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            var link = string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{(int)file.DangerousGetHandle()}");
            return File.ResolveLinkTarget(link, returnFinalTarget: false)?.FullName;
        }
        catch (IOException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Maps <paramref name="length"/> bytes of the file from <paramref name="offset"/>, asks for huge pages, populates
    /// the mapping (reading what is not cached) and returns the bytes it maps in 2 MiB pages; -1 when the kernel refuses.
    /// </summary>
    private static unsafe long HugeBytesOfFreshMapping(int fd, long offset, long length)
    {
        var address = Mmap(0, (nuint)length, ProtRead, MapShared, fd, offset);
        if (address == -1)
        {
            return -1;
        }

        try
        {
            if (Madvise(address, (nuint)length, MadviseHugePage) != 0)
            {
                return -1; // THP set to "never", or a kernel without it.
            }

            if (Madvise(address, (nuint)length, MadvisePopulateRead) != 0)
            {
                // Before Linux 5.14: fault every page in by reading a byte of it.
                var bytes = (byte*)address;
                var sum = 0;
                for (long at = 0; at < length; at += Environment.SystemPageSize)
                {
                    sum += bytes[at];
                }

                GC.KeepAlive(sum);
            }

            return MappedAreas(address).Sum(a => a.Huge);
        }
        finally
        {
            _ = Munmap(address, (nuint)length);
        }
    }

    private static IEnumerable<MappedArea> MappedAreas(string path) => MappedAreas(area => area.Path == path);

    private static IEnumerable<MappedArea> MappedAreas(nint start) => MappedAreas(area => area.Start == start);

    /// <summary>The areas of <c>/proc/self/smaps</c> that <paramref name="select"/> picks, with their resident and PMD-mapped bytes.</summary>
    private static List<MappedArea> MappedAreas(Func<MappedArea, bool> select)
    {
        var areas = new List<MappedArea>();
        MappedArea? current = null;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (MappedArea.TryParseHeader(line) is { } header)
            {
                if (current is not null)
                {
                    areas.Add(current);
                }

                current = select(header) ? header : null;
            }
            else if (current is not null)
            {
                current = current.WithField(line);
            }
        }

        if (current is not null)
        {
            areas.Add(current);
        }

        return areas;
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
