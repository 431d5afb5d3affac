using Frugal.Models;

namespace Frugal.Bench.Tests;

/// <summary>The decode ceiling: read bandwidth over the mapped file and the bytes a decoded token reads.</summary>
public sealed class BandwidthCeilingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("frugal-ceiling-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Measure_TinyModel_CountsEveryMatrixAndOneEmbeddingRow()
    {
        var path = Path.Combine(_directory, "tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        var file = GgufReader.Read(path);
        var embedding = file.Tensors.Single(t => t.Name == "token_embd.weight");

        var ceiling = BandwidthCeiling.Measure(path);

        Assert.Equal(file.TensorDataBytes - embedding.ByteSize + (embedding.ByteSize / embedding.Dimensions[1]), ceiling.BytesPerToken);
        Assert.True(ceiling.ReadBytesPerSecond > 0 && double.IsFinite(ceiling.ReadBytesPerSecond));
        Assert.Equal(ceiling.ReadBytesPerSecond / ceiling.BytesPerToken, ceiling.TokensPerSecond, 6);
        Assert.Equal(0.5, ceiling.FractionOf(ceiling.TokensPerSecond / 2), 6);
    }

    [Fact]
    public void Measure_ReadOnOneThread_BandwidthPerCpuSecondAtLeastPerWallSecond()
    {
        var path = Path.Combine(_directory, "tiny.gguf");
        ModelSynthesizer.WriteTiny(path);

        var ceiling = BandwidthCeiling.Measure(path);

        // A thread cannot run longer than the wall clock, so per CPU second it reads at least as fast (within the
        // two clocks' agreement on a pass of a few microseconds).
        Assert.True(ceiling.ReadBytesPerCpuSecond >= ceiling.ReadBytesPerSecond * 0.98, $"{ceiling.ReadBytesPerCpuSecond} < {ceiling.ReadBytesPerSecond}");
        Assert.Equal(ceiling.ReadBytesPerCpuSecond / ceiling.BytesPerToken, ceiling.CpuTokensPerSecond, 6);
        Assert.Equal(0.25, ceiling.FractionOfCpu(ceiling.CpuTokensPerSecond / 4), 6);
    }

    [Fact]
    public void Measure_EveryReadPattern_ReportedAndTheCeilingIsTheFastest()
    {
        var path = Path.Combine(_directory, "tiny.gguf");
        ModelSynthesizer.WriteTiny(path);

        var ceiling = BandwidthCeiling.Measure(path);

        Assert.Equal(MemoryReadPattern.All.Select(p => p.Name), ceiling.PatternReadBytesPerCpuSecond.Keys);
        Assert.All(ceiling.PatternReadBytesPerCpuSecond.Values, rate => Assert.True(rate > 0 && double.IsFinite(rate)));
        Assert.Equal(ceiling.PatternReadBytesPerCpuSecond.Values.Max(), ceiling.ReadBytesPerCpuSecond);
        Assert.Equal(ceiling.ReadBytesPerCpuSecond, ceiling.PatternReadBytesPerCpuSecond[ceiling.FastestPattern]);
    }

    [Fact]
    public void Measure_ModelCachedInHugePagesOrNot_SaysHowMuchItReadFromThem()
    {
        // ≈11 MiB: five whole 2 MiB pages.
        var path = Path.Combine(_directory, "f16.gguf");
        HugePageFiles.WriteModel(path);
        var whole = new FileInfo(path).Length / PageCache.HugePageBytes * PageCache.HugePageBytes;
        using (var file = File.OpenHandle(path))
        {
            if (PageCache.PrepareHugePages(file).Outcome is not (HugePageOutcome.AlreadyHuge or HugePageOutcome.Reread))
            {
                Assert.Skip("this kernel gives the test folder's file system no large folios");
            }
        }

        var huge = BandwidthCeiling.Measure(path);
        HugePageFiles.CacheInSmallPages(path, 0, new FileInfo(path).Length);

        var small = BandwidthCeiling.Measure(path);

        Assert.Equal(whole, huge.HugeBytes);
        Assert.Equal(0, small.HugeBytes);
    }

    [Fact]
    public void AsQuickProfile_ShortPromptAndDecode_NoChatsNoClients()
    {
        var quick = new BenchOptions { ModelPath = "m.gguf" }.AsQuickProfile();

        Assert.Equal((128, 64, 1, false), (quick.PromptTokens, quick.DecodeTokens, quick.Rounds, quick.Chats));
        Assert.Empty(quick.ClientCounts);
    }
}
