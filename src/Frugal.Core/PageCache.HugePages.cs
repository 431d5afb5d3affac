using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Frugal;

/// <summary>
/// The model's weights in 2 MiB pages. Decoding reads every weight once a token, and from a page cache that holds the
/// file in 4 KiB pages it ran ≈0.87x as fast as from one that holds it in 2 MiB folios, which llama.cpp's mapping then
/// maps with one TLB entry each (TinyLlama Q8_0 in the 1 CPU / 2 GiB box, bench/RESULTS.md, issue 18). Which one the
/// cache holds is up to the kernel: a read through readahead gives mostly large folios (where the file system has them:
/// ext4 from Linux 6.16, xfs earlier), but pages reclaimed while the server idles — memory pressure, or a host that pages
/// out idle memory — come back on the next fault in small ones unless the mapping asks for huge pages, and a file just
/// copied can stay in small ones. So before llama.cpp maps the file, <see cref="PrepareHugePages"/> reads the cache's
/// state window by window and reads back in large folios the windows held in small pages, where the kernel gives large
/// ones; after the load,
/// <see cref="AdviseHugePages"/> asks for huge pages on llama.cpp's own mapping (<c>MADV_HUGEPAGE</c>), so what is
/// paged out later comes back in them.
/// </summary>
public static partial class PageCache
{
    /// <summary>The size of a PMD-mapped huge page on x86-64 and arm64 with 4 KiB base pages.</summary>
    public const long HugePageBytes = 2L << 20;

    /// <summary>The part of the file looked at, and read back when not wholly in huge pages, at a time.</summary>
    internal const long WindowBytes = 32L << 20;

    private const int MadviseHugePage = 14;
    private const int MadvisePopulateRead = 22;

    /// <summary>
    /// Reads, window by window (<see cref="WindowBytes"/>), how much of the file fresh mappings that ask for huge pages
    /// map in 2 MiB pages (populating what is not cached, in large folios where the kernel gives them); each window not
    /// wholly in them has its cached pages that nobody maps dropped and read back through such a mapping. The first
    /// window read back is the probe: when it gains nothing, the kernel gives this file no large folios and the rest is
    /// left as it is. Pages another process maps stay as they are. Never changes the file.
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

        return WithDescriptor(file, fd => Prepare(fd, length));
    }

    private static HugePageReport Prepare(int fd, long length)
    {
        var windows = Windows(length);
        var huge = HugeBytesOfFreshMappings(fd, windows);
        if (huge is null)
        {
            return new HugePageReport(HugePageOutcome.Unsupported, length, 0, 0, TimeSpan.Zero);
        }

        var before = huge.Sum();
        var small = Enumerable.Range(0, windows.Count).Where(w => huge[w] < windows[w].Bytes / HugePageBytes * HugePageBytes).ToList();
        if (small.Count == 0)
        {
            return new HugePageReport(HugePageOutcome.AlreadyHuge, length, before, before, TimeSpan.Zero);
        }

        // The first window read back is the probe; the rest are read back in one pass only when it gained.
        var started = Stopwatch.GetTimestamp();
        var probeBefore = huge[small[0]];
        ReadBack(fd, windows, small[..1], huge);
        if (huge[small[0]] <= probeBefore)
        {
            return new HugePageReport(HugePageOutcome.Unsupported, length, before, before, TimeSpan.Zero);
        }

        ReadBack(fd, windows, small[1..], huge);
        return new HugePageReport(HugePageOutcome.Reread, length, before, huge.Sum(), Stopwatch.GetElapsedTime(started))
        {
            RereadBytes = small.Sum(w => windows[w].Bytes),
        };
    }

    /// <summary>Drops the unmapped cached pages of the windows <paramref name="which"/> and reads them back; their bytes in huge pages go to <paramref name="huge"/>.</summary>
    private static void ReadBack(int fd, List<(long Offset, long Bytes)> windows, List<int> which, long[] huge)
    {
        if (which.Count == 0)
        {
            return;
        }

        foreach (var w in which)
        {
            _ = PosixFadvise(fd, windows[w].Offset, windows[w].Bytes, DontNeed);
        }

        var after = HugeBytesOfFreshMappings(fd, which.ConvertAll(w => windows[w])) ?? new long[which.Count];
        for (var i = 0; i < which.Count; i++)
        {
            huge[which[i]] = after[i];
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

    /// <summary>
    /// Bytes the mapping that starts at <paramref name="address"/> maps in 2 MiB pages (<c>FilePmdMapped</c>); 0 where
    /// there is none or on other systems.
    /// </summary>
    public static long HugeBytesMappedAt(nint address) =>
        OperatingSystem.IsLinux() ? MappedAreas(area => area.Start == address)?.Sum(a => a.Huge) ?? 0 : 0;

    /// <summary>
    /// Bytes of this process's anonymous memory advised <c>MADV_HUGEPAGE</c> that the kernel holds in 2 MiB pages: with
    /// Frugal's CPU backend, after a repacked load, the repacked copy of the weights (the only anonymous memory Frugal
    /// advises while a model is loaded). 0 where there is none or on other systems.
    /// </summary>
    public static long AdvisedAnonymousHugeBytes() =>
        OperatingSystem.IsLinux() ? MappedAreas(area => area.Path.Length == 0)?.Where(a => a.AdvisedHuge).Sum(a => a.AnonymousHuge) ?? 0 : 0;

    /// <summary>The path under which the kernel names the open file in <c>/proc/self/maps</c>, or null.</summary>
    public static string? MappedName(SafeFileHandle file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!OperatingSystem.IsLinux() || file.IsInvalid)
        {
            return null;
        }

        try
        {
            return WithDescriptor(file, fd =>
                File.ResolveLinkTarget(string.Create(CultureInfo.InvariantCulture, $"/proc/self/fd/{fd}"), returnFinalTarget: false)?.FullName);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The file cut into windows of <see cref="WindowBytes"/> (the last one shorter), each starting on a huge page.</summary>
    internal static List<(long Offset, long Bytes)> Windows(long length)
    {
        var windows = new List<(long, long)>();
        for (long offset = 0; offset < length; offset += WindowBytes)
        {
            windows.Add((offset, Math.Min(WindowBytes, length - offset)));
        }

        return windows;
    }

    /// <summary>
    /// Maps each window of the file, asks for huge pages, populates it (reading what is not cached) and returns the bytes
    /// each maps in 2 MiB pages; null when the kernel refuses or smaps cannot be read.
    /// </summary>
    private static unsafe long[]? HugeBytesOfFreshMappings(int fd, IReadOnlyList<(long Offset, long Bytes)> windows)
    {
        var addresses = new nint[windows.Count];
        Array.Fill(addresses, -1);
        try
        {
            for (var w = 0; w < windows.Count; w++)
            {
                var (offset, bytes) = windows[w];
                addresses[w] = Mmap(0, (nuint)bytes, ProtRead, MapShared, fd, offset);
                if (addresses[w] == -1 || Madvise(addresses[w], (nuint)bytes, MadviseHugePage) != 0)
                {
                    return null; // THP set to "never", or a kernel without it.
                }

                if (Madvise(addresses[w], (nuint)bytes, MadvisePopulateRead) != 0)
                {
                    // Before Linux 5.14: fault every page in by reading a byte of it.
                    var first = (byte*)addresses[w];
                    var sum = 0;
                    for (long at = 0; at < bytes; at += Environment.SystemPageSize)
                    {
                        sum += first[at];
                    }

                    GC.KeepAlive(sum);
                }
            }

            var huge = MappedAreas(area => Array.IndexOf(addresses, area.Start) >= 0)?.ToDictionary(a => a.Start, a => a.Huge);
            return huge is null ? null : addresses.Select(a => huge.GetValueOrDefault(a)).ToArray();
        }
        finally
        {
            for (var w = 0; w < windows.Count; w++)
            {
                if (addresses[w] != -1)
                {
                    _ = Munmap(addresses[w], (nuint)windows[w].Bytes);
                }
            }
        }
    }

    private static IEnumerable<MappedArea> MappedAreas(string path) => MappedAreas(area => area.Path == path) ?? [];

    /// <summary>
    /// The areas of <c>/proc/self/smaps</c> that <paramref name="select"/> picks, with their resident and PMD-mapped
    /// bytes; null where it cannot be read (no <c>/proc</c> in a container): huge pages are a speed-up, never a reason for
    /// a load to fail.
    /// </summary>
    private static List<MappedArea>? MappedAreas(Func<MappedArea, bool> select)
    {
        try
        {
            return ReadMappedAreas(select);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static List<MappedArea> ReadMappedAreas(Func<MappedArea, bool> select)
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

    /// <summary>
    /// Asks the kernel for 2 MiB pages for the whole 2 MiB pages of the anonymous memory at <paramref name="address"/>
    /// before it is touched (a model's weights are read from 2 MiB pages; memory in small pages streams slower through
    /// the TLB). Best effort: false where refused, where it holds no whole 2 MiB page, or not Linux.
    /// </summary>
    public static bool AdviseHugePagesAt(nint address, nuint length)
    {
        var huge = (nuint)HugePageBytes;
        var start = ((nuint)address + huge - 1) / huge * huge;
        var end = ((nuint)address + length) / huge * huge;
        return OperatingSystem.IsLinux() && end > start && Madvise((nint)start, end - start, MadviseHugePage) == 0;
    }

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint address, nuint length, int advice);
}
