using Frugal.Models;

namespace Frugal.Testing;

/// <summary>Files for the tests of the weights' 2 MiB pages (issue 18): a model over two huge pages, and a file's cache in 4 KiB pages.</summary>
public static class HugePageFiles
{
    /// <summary>Writes an F16 model of ≈11 MiB (five whole 2 MiB pages) at <paramref name="path"/>.</summary>
    public static void WriteModel(string path) => ModelSynthesizer.Write(path, new SynthesisOptions
    {
        Shape = ModelShape.Tiny with { Name = "superblock", EmbeddingLength = 256, FeedForwardLength = 512, HeadCount = 4, HeadCountKv = 2, BlockCount = 8 },
        Quant = ModelQuantization.F16,
    });

    /// <summary>
    /// Drops <paramref name="length"/> bytes of the file from <paramref name="offset"/> out of the page cache (nobody
    /// maps them), then reads them back one 4 KiB page at a time from the end (no readahead): small pages, what pages
    /// reclaimed and faulted back one by one give.
    /// </summary>
    public static void CacheInSmallPages(string path, long offset, long length)
    {
        using var file = File.OpenHandle(path);
        PageCache.Drop(file, offset, length);
        var page = new byte[4096];
        for (var at = offset + ((length - 1) / page.Length * page.Length); at >= offset; at -= page.Length)
        {
            _ = RandomAccess.Read(file, page, at);
        }
    }
}
