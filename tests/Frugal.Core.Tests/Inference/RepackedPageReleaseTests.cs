using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Inference;

/// <summary>
/// After a repacked load the file's pages the repacked weights were read from leave the page cache, whole pages holding
/// nothing else only: every page of a tensor still read from the mapping stays, and replies do not change.
/// </summary>
public sealed class RepackedPageReleaseTests : IDisposable
{
    private const int Page = 4096;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task LoadAsync_Repacked_RepackedRangesLeaveTheCacheAndMappedTensorsStay()
    {
        var path = Model("released.gguf");
        var file = GgufReader.Read(path);

        await using var engine = await LoadAsync(path, repack: true, release: true);

        var release = engine.RepackedPages;
        var ranges = RepackedWeights.FileRanges(file, RepackedWeights.LlamaCppTypes, release.PageBytes);
        Assert.NotEmpty(ranges);
        Assert.Equal(RepackedWeights.Bytes(file, RepackedWeights.LlamaCppTypes), release.RepackedBytes);
        Assert.Equal(ranges.Sum(r => r.Length), release.RangeBytes);
        Assert.Equal(release.RangeBytes, release.ReleasedBytes);
        using var handle = File.OpenHandle(path);
        Assert.All(ranges, r => Assert.Equal(0, PageCache.CachedBytes(handle, r.Offset, r.Length)));
        var mapped = MappedTensorPages(file);
        Assert.NotEmpty(mapped);
        Assert.All(mapped, t => Assert.Equal(t.Length, PageCache.CachedBytes(handle, t.Offset, t.Length)));
    }

    [Fact]
    public async Task GenerateAsync_AfterTheRelease_SameGreedyReplyAsWithThePagesKept()
    {
        var path = Model("reply.gguf");
        var request = GenerationRuns.Greedy("Tell me about rain.", maxTokens: 24);
        string kept, released;
        await using (var engine = await LoadAsync(path, repack: true, release: false))
        {
            Assert.Equal(RepackedPageRelease.None, engine.RepackedPages);
            kept = (await GenerationRuns.RunAsync(engine, request, TestContext.Current.CancellationToken)).Text;
        }

        await using (var engine = await LoadAsync(path, repack: true, release: true))
        {
            Assert.True(engine.RepackedPages.ReleasedBytes > 0, engine.RepackedPages.Describe());
            released = (await GenerationRuns.RunAsync(engine, request, TestContext.Current.CancellationToken)).Text;
        }

        Assert.NotEmpty(kept);
        Assert.Equal(kept, released);
    }

    [Fact]
    public async Task LoadAsync_RepackOff_NothingReleased()
    {
        var path = Model("mapped.gguf");
        var file = GgufReader.Read(path);

        await using var engine = await LoadAsync(path, repack: false, release: true);

        Assert.Equal(RepackedPageRelease.None, engine.RepackedPages);
        using var handle = File.OpenHandle(path);
        var ranges = RepackedWeights.FileRanges(file, RepackedWeights.LlamaCppTypes, Page);
        Assert.NotEmpty(ranges);
        Assert.All(ranges, r => Assert.Equal(r.Length, PageCache.CachedBytes(handle, r.Offset, r.Length)));
    }

    [Fact]
    public async Task LoadAsync_Repacked_RepackedCopyInHugePagesReportedOnlyWhereTheBackendAsksForThem()
    {
        var path = Model("huge.gguf");

        await using var engine = await LoadAsync(path, repack: true, release: true);

        // Frugal's CPU backend advises its repacked buffer MADV_HUGEPAGE (NativeBuildCommandTests runs it); any other
        // backend has no such setting, and the report says nothing of a repacked copy's pages.
        var pages = engine.WeightPages;
        if (FrugalCpuKernels.SetRepackedHugePages(true))
        {
            Assert.NotNull(pages.RepackedHugeBytes);
            Assert.Contains("its repacked copy of the weights holds", pages.Describe(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(pages.RepackedHugeBytes);
            Assert.DoesNotContain("repacked copy", pages.Describe(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Describe_Released_SaysHowMuchOfTheRepackedWeights()
    {
        var release = new RepackedPageRelease(455L << 20, 388L << 20, 388L << 20, PageCache.HugePageBytes);

        Assert.Equal("repacked weights' file pages released: 388 MiB of the 455 MiB repacked (the rest share 2 MiB pages with mapped weights)",
            release.Describe());
    }

    // The whole pages of every tensor llama.cpp reads from its mapping (all but the repacked ones).
    private static List<(long Offset, long Length)> MappedTensorPages(GgufFile file)
    {
        var repacked = RepackedWeights.Tensors(file, RepackedWeights.LlamaCppTypes).ToHashSet();
        return file.Tensors.Where(t => !repacked.Contains(t))
            .Select(t => (Start: (file.DataOffset + t.Offset + Page - 1) / Page * Page, End: (file.DataOffset + t.Offset + t.ByteSize) / Page * Page))
            .Where(t => t.End > t.Start)
            .Select(t => (t.Start, t.End - t.Start))
            .ToList();
    }

    private static Task<LlamaEngine> LoadAsync(string path, bool repack, bool release) => LlamaEngine.LoadAsync(new EngineOptions
    {
        ModelPath = path,
        ContextSize = 256,
        ChatTemplate = ChatTemplateFamily.Llama2,
        RepackWeights = repack,
        ReleaseRepackedPages = release,
    }, ct: TestContext.Current.CancellationToken);

    // A Q4_K_M model whose repacked matrices fill whole 2 MiB pages between the mapped ones (≈30 MiB).
    private string Model(string name)
    {
        if (!OperatingSystem.IsLinux() || new DriveInfo(_temp.Path).DriveFormat is "tmpfs" or "ramfs")
        {
            Assert.Skip("the temp folder's file system keeps files in memory: no page cache to release");
        }

        var path = _temp.File(name);
        ModelSynthesizer.Write(path, new SynthesisOptions
        {
            Shape = ModelShape.Tiny with { Name = "release", EmbeddingLength = 1024, FeedForwardLength = 4096, HeadCount = 8, HeadCountKv = 4, BlockCount = 4 },
            Quant = ModelQuantization.Q4_K_M,
        });
        return path;
    }
}
