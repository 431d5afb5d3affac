using Frugal.Memory;
using Frugal.Models;

namespace Frugal.Tests.Memory;

/// <summary>
/// The estimator against the buffer sizes llama.cpp itself logged (LLamaSharp 0.30.0, CPU) when loading
/// the synthesized TinyLlama-1.1B and tiny shapes; the figures in MiB are copied from those logs.
/// </summary>
public sealed class MemoryEstimatorTests
{
    private const double MiB = 1 << 20;

    private static ModelInfo Model(int vocab, int embd, int blocks, int ff, int heads, int kvHeads, long weights = 1_169_072_128) => new()
    {
        Path = "model.gguf",
        FileSizeBytes = weights + 736_320,
        Architecture = "llama",
        ParameterCount = 1_100_048_384,
        FileType = "Q8_0",
        TensorTypeHistogram = new Dictionary<string, int> { ["Q8_0"] = 156, ["F32"] = 45 },
        TensorDataBytes = weights,
        ContextLength = 2048,
        EmbeddingLength = embd,
        BlockCount = blocks,
        HeadCount = heads,
        HeadCountKv = kvHeads,
        FeedForwardLength = ff,
        VocabSize = vocab,
        ChatTemplateFamily = ChatTemplateFamily.Zephyr,
    };

    private static ModelInfo TinyLlama => Model(32000, 2048, 22, 5632, 32, 4);

    private static ModelInfo Tiny => Model(1189, 64, 2, 192, 4, 2, weights: 267_432);

    [Theory]
    [InlineData(256, 5.5)]
    [InlineData(1024, 22)]
    [InlineData(2048, 44)]
    [InlineData(4096, 88)]
    public void Estimate_TinyLlamaKvCache_EqualsLoggedSize(int context, double loggedMiB) =>
        Assert.Equal(loggedMiB, MemoryEstimator.Estimate(TinyLlama, context).KvCacheBytes / MiB);

    [Theory]
    [InlineData(256, 512, true, 35.25)]
    [InlineData(2048, 512, true, 70.50)]
    [InlineData(4096, 128, true, 17.63)]
    [InlineData(1024, 512, false, 87.01)]
    [InlineData(4096, 512, false, 285.01)]
    [InlineData(2048, 128, false, 38.25)]
    public void Estimate_TinyLlamaCompute_WithinFivePercentOfLogged(int context, int batch, bool flash, double loggedMiB)
    {
        var estimate = MemoryEstimator.Estimate(TinyLlama, context, batch, flashAttention: flash);

        // The logged figure is the compute buffer alone; the estimate adds the 0.12 MiB logits output buffer.
        Assert.InRange(estimate.ComputeBytes / MiB, loggedMiB * 0.97, loggedMiB * 1.05);
    }

    [Theory]
    [InlineData(256, 512, 1.29)]
    [InlineData(1024, 512, 2.64)]
    [InlineData(4096, 512, 5.64)]
    [InlineData(2048, 128, 0.91)]
    public void Estimate_TinyCompute_WithinFivePercentOfLogged(int context, int batch, double loggedMiB) =>
        Assert.InRange(MemoryEstimator.Estimate(Tiny, context, batch).ComputeBytes / MiB, loggedMiB * 0.95, loggedMiB * 1.05);

    [Fact]
    public void Estimate_ParallelSequences_MultiplyKvCells()
    {
        var one = MemoryEstimator.Estimate(TinyLlama, 1024);
        var four = MemoryEstimator.Estimate(TinyLlama, 1024, parallelSequences: 4);

        Assert.Equal(4 * one.KvCacheBytes, four.KvCacheBytes);
        Assert.Equal(4096, four.KvCells);
    }

    [Fact]
    public void Estimate_Parts_SumToTotalAndWeightsAreTheTensorData()
    {
        var estimate = MemoryEstimator.Estimate(TinyLlama, 2048);

        Assert.Equal(TinyLlama.TensorDataBytes, estimate.WeightsBytes);
        Assert.Equal(estimate.WeightsBytes + estimate.KvCacheBytes + estimate.ComputeBytes + estimate.RuntimeBytes, estimate.TotalBytes);
        Assert.InRange(estimate.RuntimeBytes / MiB, 40, 64);
    }

    [Fact]
    public void Estimate_ContextPadding_RoundsUpTo256Cells()
    {
        Assert.Equal(256, MemoryEstimator.Estimate(Tiny, 1).KvCells);
        Assert.Equal(512, MemoryEstimator.Estimate(Tiny, 257).KvCells);
    }

    [Fact]
    public void Estimate_NonPositiveContext_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryEstimator.Estimate(Tiny, 0));
}
