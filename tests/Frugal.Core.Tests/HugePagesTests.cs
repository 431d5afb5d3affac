using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests;

/// <summary>
/// The model's weights in 2 MiB pages (issue 18: decoding from a page cache that held the file in 4 KiB pages ran
/// ≈0.87x as fast): a file the cache holds in small pages is read back in large folios before the load, and llama.cpp's
/// mapping asks for huge pages. On a kernel that gives the file system no large folios the tests say so and skip.
/// </summary>
public sealed class HugePagesTests : IDisposable
{
    private const int Mib = 1 << 20;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void PrepareHugePages_FileCachedInSmallPages_ReadBackInHugePagesUnchanged()
    {
        var path = WrittenFile("small-pages.bin", 16 * Mib);
        var hash = Hash(path);

        var report = Prepare(path);

        SkipUnlessLargeFolios(report);
        Assert.Equal(HugePageOutcome.Reread, report.Outcome);
        Assert.Equal(16L * Mib, report.FileBytes);
        Assert.True(report.HugeBytesBefore < 16L * Mib, $"before: {report.HugeBytesBefore} bytes in huge pages");
        Assert.Equal(16L * Mib, report.HugeBytes);
        Assert.Equal(16L * Mib, report.RereadBytes);
        Assert.True(report.Reread > TimeSpan.Zero);
        Assert.Equal(hash, Hash(path));
    }

    [Fact]
    public void PrepareHugePages_OneWindowInSmallPages_OnlyThatWindowReadBack()
    {
        // Three windows (32, 32 and 17 MiB): all in huge pages, then the middle one back in small pages.
        var length = (int)(2 * PageCache.WindowBytes) + (17 * Mib);
        var path = WrittenFile("one-window.bin", length);
        SkipUnlessLargeFolios(Prepare(path));
        Assert.Equal(HugePageOutcome.AlreadyHuge, Prepare(path).Outcome);
        HugePageFiles.CacheInSmallPages(path, PageCache.WindowBytes, PageCache.WindowBytes);

        var report = Prepare(path);

        Assert.Equal(HugePageOutcome.Reread, report.Outcome);
        Assert.Equal(PageCache.WindowBytes, report.RereadBytes);
        // The last window's odd MiB is never a huge page.
        Assert.Equal(length - PageCache.WindowBytes - Mib, report.HugeBytesBefore);
        Assert.Equal(length - Mib, report.HugeBytes);
        Assert.Contains("32 MiB read back", report.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void PrepareHugePages_FileAlreadyInHugePages_NotReadAgain()
    {
        var path = WrittenFile("huge-pages.bin", 8 * Mib);
        SkipUnlessLargeFolios(Prepare(path));

        var again = Prepare(path);

        Assert.Equal(HugePageOutcome.AlreadyHuge, again.Outcome);
        Assert.Equal(TimeSpan.Zero, again.Reread);
        Assert.Equal(again.HugeBytesBefore, again.HugeBytes);
        Assert.Contains("cached in 2 MiB pages", again.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void PrepareHugePages_FileUnderTwoHugePages_LeftAlone()
    {
        var path = WrittenFile("small.bin", 3 * Mib);

        var report = Prepare(path);

        Assert.Equal(OperatingSystem.IsLinux() ? HugePageOutcome.TooSmall : HugePageOutcome.NotLinux, report.Outcome);
        Assert.Equal(0, report.HugeBytes);
    }

    [Fact]
    public void AdviseHugePages_FileMappedHere_MarksEveryMappingAndCountsItsPages()
    {
        var path = WrittenFile("mapped.bin", 8 * Mib);
        using var file = File.OpenHandle(path);
        var name = PageCache.MappedName(file);
        Assert.NotNull(name);
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        var sum = 0L;
        for (long at = 0; at < 8 * Mib; at += 4096)
        {
            sum += view.ReadByte(at);
        }

        Assert.DoesNotContain(VmFlags(name), flags => flags.Contains("hg", StringComparison.Ordinal));

        var (resident, huge) = PageCache.AdviseHugePages(name);

        Assert.Equal(8L * Mib, resident);
        Assert.InRange(huge, 0, resident);
        var marked = VmFlags(name);
        Assert.NotEmpty(marked);
        Assert.All(marked, flags => Assert.Contains("hg", flags.Split(' ')));
        GC.KeepAlive(sum);
    }

    [Fact]
    public void AdviseHugePages_FileNotMapped_Nothing()
    {
        var path = WrittenFile("unmapped.bin", 4 * Mib);
        using var file = File.OpenHandle(path);

        Assert.Equal((0L, 0L), PageCache.AdviseHugePages(PageCache.MappedName(file)!));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LoadAsync_HugePagesOnOrOff_ReportsTheWeightsPagesAndMarksTheMappingOnlyWhenOn(bool on)
    {
        var path = _temp.File($"weights-{on}.gguf");
        HugePageFiles.WriteModel(path);

        await using var engine = await LlamaEngine.LoadAsync(new EngineOptions
        {
            ModelPath = path,
            ContextSize = 256,
            ChatTemplate = ChatTemplateFamily.Llama2,
            HugePages = on,
        }, ct: TestContext.Current.CancellationToken);

        var pages = engine.WeightPages;
        if (!on)
        {
            Assert.Equal(HugePageOutcome.Off, pages.Outcome);
            Assert.Equal(0, pages.MappedResidentBytes);
            return;
        }

        Assert.Equal(new FileInfo(path).Length, pages.FileBytes);
        Assert.True(pages.MappedResidentBytes > 0, pages.Describe());
        Assert.InRange(pages.MappedHugeBytes, 0, pages.MappedResidentBytes);
        SkipUnlessLargeFolios(pages);
        // A synthesized file leaves the cache when written, so the load reads it in large folios: every whole 2 MiB.
        Assert.Equal(pages.FileBytes / PageCache.HugePageBytes * PageCache.HugePageBytes, pages.HugeBytes);
    }

    [Fact]
    public void Describe_RepackedCopyInHugePages_SaidAfterTheMapping()
    {
        var report = new HugePageReport(HugePageOutcome.AlreadyHuge, 668L << 20, 668L << 20, 668L << 20, TimeSpan.Zero)
        {
            MappedResidentBytes = 181L << 20,
            MappedHugeBytes = 176L << 20,
            RepackedHugeBytes = 452L << 20,
        };

        Assert.Equal("huge pages for the weights: 668 of 668 MiB cached in 2 MiB pages; llama.cpp maps 176 of its 181 resident MiB in them; "
            + "its repacked copy of the weights holds 452 MiB in them", report.Describe());
        Assert.DoesNotContain("repacked", (report with { RepackedHugeBytes = null }).Describe(), StringComparison.Ordinal);
    }

    private static HugePageReport Prepare(string path)
    {
        using var file = File.OpenHandle(path);
        return PageCache.PrepareHugePages(file);
    }

    private static void SkipUnlessLargeFolios(HugePageReport report)
    {
        if (report.Outcome is HugePageOutcome.Unsupported or HugePageOutcome.NotLinux)
        {
            Assert.Skip($"this kernel gives the test folder's file system no large folios: {report.Describe()}");
        }
    }

    // The VmFlags of every area of /proc/self/smaps that maps the file the kernel names name.
    private static List<string> VmFlags(string name)
    {
        var flags = new List<string>();
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (MappedArea.TryParseHeader(line) is { } area)
            {
                inside = area.Path == name;
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                flags.Add(line["VmFlags:".Length..].Trim());
            }
        }

        return flags;
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    // A file of random bytes on disk, cached in 4 KiB pages (what pages reclaimed and faulted back one by one give).
    private string WrittenFile(string name, int length)
    {
        if (!OperatingSystem.IsLinux() || new DriveInfo(_temp.Path).DriveFormat is "tmpfs" or "ramfs")
        {
            Assert.Skip("the temp folder's file system keeps files in memory: no page cache to prepare");
        }

        var path = _temp.File(name);
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        PageCache.Drop(path);
        HugePageFiles.CacheInSmallPages(path, 0, length);
        return path;
    }
}
