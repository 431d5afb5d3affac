using Frugal.Models;

namespace Frugal.Tests;

/// <summary>
/// A model file Frugal writes leaves the page cache, so its first load reads it back in large pages (issue 18:
/// decoding from the 4 KiB pages of a just-written file was ≈13 % slower).
/// </summary>
public sealed class PageCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Drop_FileJustWrittenAndFlushed_NoneOfItsPagesStayCached()
    {
        var path = WrittenFile("written.bin");
        Assert.True(PageCache.ResidentBytes(path) > 0, "a file just written is in the page cache: what the check sees");

        PageCache.Drop(path);

        Assert.Equal(0, PageCache.ResidentBytes(path));
    }

    [Fact]
    public void WriteTo_SynthesizedModel_NoneOfItsPagesStayCached()
    {
        _ = WrittenFile("control.bin");
        var path = _temp.File("tiny.gguf");

        ModelSynthesizer.WriteTiny(path);

        Assert.Equal(0, PageCache.ResidentBytes(path));
        Assert.Equal("llama", ModelInfoReader.Read(path).Architecture);
    }

    // A 4 MiB file on disk and (where the file system has a page cache to drop from) in the cache.
    private string WrittenFile(string name)
    {
        if (!OperatingSystem.IsLinux() || new DriveInfo(_temp.Path).DriveFormat is "tmpfs" or "ramfs")
        {
            Assert.Skip("the temp folder's file system keeps files in memory: there is no page cache to leave");
        }

        var path = _temp.File(name);
        var bytes = new byte[4 << 20];
        Random.Shared.NextBytes(bytes);
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        Assert.Equal(bytes.Length, PageCache.ResidentBytes(path));
        return path;
    }
}
