namespace Frugal.Bench.Tests;

/// <summary>
/// The ceiling's anonymous copy of the repacked weights is in the pages llama.cpp's copy is in: advised
/// <c>MADV_HUGEPAGE</c> exactly when the engine's was (Frugal's backend), else left to the kernel as glibc's are.
/// </summary>
public sealed class RepackedCopyTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public unsafe void Allocate_HugePagesOrNot_WholeTwoMiBPagesAdvisedOnlyWhenAsked(bool hugePages)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("madvise and /proc/self/smaps are Linux's");
        }

        const long Length = (9L << 20) + 123;
        using var copy = RepackedCopy.Allocate(Length, hugePages);

        var start = (long)copy.Data;
        var areas = Areas().Where(a => (long)a.End > start && (long)a.Start < start + Length).ToList();
        Assert.NotEmpty(areas);
        Assert.All(areas, a => Assert.Equal("", a.Path));
        // Advised: every whole 2 MiB page of the copy, nothing outside them.
        var advised = areas.Where(a => a.AdvisedHuge).Sum(a => Math.Min((long)a.End, start + Length) - Math.Max((long)a.Start, start));
        var huge = PageCache.HugePageBytes;
        var whole = (start + Length) / huge * huge - (start + huge - 1) / huge * huge;
        Assert.Equal(hugePages ? whole : 0, advised);
        Assert.Equal(0x5A, copy.Data[Length - 1]);
    }

    private static List<MappedArea> Areas()
    {
        var areas = new List<MappedArea>();
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (MappedArea.TryParseHeader(line) is { } area)
            {
                areas.Add(area);
            }
            else if (areas.Count > 0)
            {
                areas[^1] = areas[^1].WithField(line);
            }
        }

        return areas;
    }
}
