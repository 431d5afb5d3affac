using System.Text.Json;
using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Bench.Tests;

/// <summary>
/// The ceiling of a model loaded with repacking reads what its decode reads — the mapped rest of the file and an
/// anonymous buffer of the repacked weights' size — and leaves the file pages the load gave back uncached.
/// </summary>
public sealed class RepackedCeilingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Measure_RepackedLoad_ReadsTheRepackedBytesAnonymouslyAndNoReleasedPage()
    {
        var path = Model("released.gguf");
        var file = GgufReader.Read(path);
        await using var engine = await LoadRepackedAsync(path);
        var released = RepackedWeights.FileRanges(file, RepackedWeights.LlamaCppTypes, engine.RepackedPages.PageBytes);
        Assert.True(engine.RepackedPages.ReleasedBytes > 0, engine.RepackedPages.Describe());

        var ceiling = BandwidthCeiling.Measure(path, repacked: engine.Model.RepackedTensorBytes > 0);

        using var handle = File.OpenHandle(path);
        Assert.All(released, r => Assert.Equal(0, PageCache.CachedBytes(handle, r.Offset, r.Length)));
        Assert.Equal(engine.Model.RepackedTensorBytes, ceiling.Reads.AnonymousBytes);
        Assert.Equal(engine.RepackedPages.RepackedBytes, ceiling.Reads.AnonymousBytes);
        Assert.Equal(CeilingReads.Of(file, repacked: true), ceiling.Reads, ReadsComparer.Instance);
        Assert.True(ceiling.ReadBytesPerSecond > 0 && double.IsFinite(ceiling.ReadBytesPerSecond));
    }

    [Fact]
    public async Task ReleaseRepackedPagesAgain_AfterTheBaselineLoad_TheReleasedRangesLeaveTheCacheAgain()
    {
        var path = Model("baseline.gguf");
        var file = GgufReader.Read(path);
        await using var engine = await LoadRepackedAsync(path);
        var released = RepackedWeights.FileRanges(file, RepackedWeights.LlamaCppTypes, engine.RepackedPages.PageBytes);
        using var handle = File.OpenHandle(path);
        using var baseline = PlainLlamaSharpBaseline.Load(path, 256, 1);
        Assert.True(released.Sum(r => PageCache.CachedBytes(handle, r.Offset, r.Length)) > 0, "plain LLamaSharp's load reads the repacked matrices from its mapping");

        var again = BenchRunner.ReleaseRepackedPagesAgain(path, engine.RepackedPages);

        Assert.Equal(engine.RepackedPages.RangeBytes, again.RangeBytes);
        Assert.All(released, r => Assert.Equal(0, PageCache.CachedBytes(handle, r.Offset, r.Length)));
    }

    [Fact]
    public void Measure_NotRepacked_ReadsTheWholeMappedFileAsBefore()
    {
        var path = _temp.File("q8.gguf");
        ModelSynthesizer.WriteTiny(path);
        var file = GgufReader.Read(path);

        var ceiling = BandwidthCeiling.Measure(path);

        Assert.Equal(0, ceiling.Reads.AnonymousBytes);
        Assert.Equal([(file.DataOffset, file.Tensors.Max(t => t.Offset + t.ByteSize))], ceiling.Reads.MappedRanges);
    }

    [Fact]
    public void Write_RepackedCeiling_JsonAndMarkdownSayWhatItRead()
    {
        var repacked = Report(new CeilingReads([(4096, 181L << 20)], 455L << 20));
        var mapped = Report(new CeilingReads([(4096, 1115L << 20)], 0));

        using var json = JsonDocument.Parse(BenchReportJson.Write(repacked));
        using var mappedJson = JsonDocument.Parse(BenchReportJson.Write(mapped));

        var reads = json.RootElement.GetProperty("ceiling").GetProperty("ceiling_reads");
        Assert.Equal(181L << 20, reads.GetProperty("mapped_bytes").GetInt64());
        Assert.Equal(455L << 20, reads.GetProperty("anonymous_bytes").GetInt64());
        Assert.Equal(0, mappedJson.RootElement.GetProperty("ceiling").GetProperty("ceiling_reads").GetProperty("anonymous_bytes").GetInt64());
        Assert.Contains("one core reads the mapped model file's tensors not repacked (181 MiB) and an anonymous copy of the repacked ones (455 MiB) at 20.00 GB/s",
            BenchReportMarkdown.Write(repacked), StringComparison.Ordinal);
        Assert.Contains("one core reads the mapped model file at 20.00 GB/s", BenchReportMarkdown.Write(mapped), StringComparison.Ordinal);
    }

    private static BenchReport Report(CeilingReads reads) => BenchTargetTests.Report(1, [], null) with
    {
        Ceiling = new CeilingRounds([new CeilingRound(new BandwidthCeiling(20e9, 500L << 20) { Reads = reads }, 25, double.NaN)]),
    };

    private static Task<LlamaEngine> LoadRepackedAsync(string path) => LlamaEngine.LoadAsync(new EngineOptions
    {
        ModelPath = path,
        ContextSize = 256,
        ChatTemplate = ChatTemplateFamily.Llama2,
        RepackWeights = true,
        ReleaseRepackedPages = true,
    }, ct: TestContext.Current.CancellationToken);

    private string Model(string name)
    {
        if (!OperatingSystem.IsLinux() || new DriveInfo(_temp.Path).DriveFormat is "tmpfs" or "ramfs")
        {
            Assert.Skip("the temp folder's file system keeps files in memory: no page cache to release");
        }

        var path = _temp.File(name);
        RepackedTestModel.Write(path);
        return path;
    }

    // Records holding lists compare the lists by reference; these compare their ranges.
    private sealed class ReadsComparer : IEqualityComparer<CeilingReads>
    {
        public static ReadsComparer Instance { get; } = new();

        public bool Equals(CeilingReads? x, CeilingReads? y) =>
            x is not null && y is not null && x.AnonymousBytes == y.AnonymousBytes && x.MappedRanges.SequenceEqual(y.MappedRanges);

        public int GetHashCode(CeilingReads obj) => obj.AnonymousBytes.GetHashCode();
    }
}
