using Frugal.Inference;
using Frugal.Memory;
using Frugal.Models;
using Frugal.Tests.Models;

namespace Frugal.Tests.Memory;

public sealed class AutoConfiguratorTests : IDisposable
{
    private const long MiB = 1024 * 1024;

    private readonly TempDirectory _temp = new();

    // TinyLlama-1.1B-Chat Q8_0 as the GGUF reader describes it.
    private static readonly ModelInfo TinyLlama = new()
    {
        Path = "/models/tinyllama-1.1b-chat.Q8_0.gguf",
        FileSizeBytes = 1_170_000_000,
        Architecture = "llama",
        ParameterCount = 1_100_048_384,
        FileType = "Q8_0",
        TensorTypeHistogram = new Dictionary<string, int> { ["Q8_0"] = 155, ["F32"] = 45 },
        TensorDataBytes = 1_168_138_240,
        ContextLength = 2048,
        EmbeddingLength = 2048,
        BlockCount = 22,
        HeadCount = 32,
        HeadCountKv = 4,
        FeedForwardLength = 5632,
        VocabSize = 32000,
        ChatTemplateFamily = ChatTemplateFamily.Zephyr,
    };

    // TinyLlama-1.1B-Chat Q4_K_M as the reader describes the synthesized file of its shape, with what llama.cpp repacks of it.
    private static readonly ModelInfo TinyLlamaQ4KMRepacked = TinyLlama with
    {
        Path = "/models/tinyllama-1.1b-chat.Q4_K_M.gguf",
        FileSizeBytes = 667_814_976,
        FileType = "Q4_K_M",
        TensorTypeHistogram = new Dictionary<string, int> { ["Q4_K"] = 135, ["Q6_K"] = 21, ["F32"] = 45 },
        TensorDataBytes = 667_078_656,
        RepackedTensorBytes = 477_167_616,
    };

    private static readonly CpuSnapshot OneCore = new()
    {
        OnlineCpus = 2,
        AllowedCpus = 2,
        QuotaCores = 1,
        Source = CgroupVersion.V1,
        Flags = new HashSet<string> { "avx2" },
    };

    private static MemorySnapshot Box(long limitMiB, long othersMiB = 0) => new()
    {
        Timestamp = DateTimeOffset.UnixEpoch,
        Source = CgroupVersion.V1,
        LimitBytes = limitMiB * MiB,
        UsageBytes = (othersMiB + 30) * MiB,
        AnonymousBytes = (othersMiB + 30) * MiB,
        ProcessRssAnonymousBytes = 30 * MiB,
        PageCacheBytes = 0,
    };

    [Fact]
    public void Choose_TinyLlamaInTwoGiBOneCore_TrainedContextOneThreadBelowMedium()
    {
        var choice = AutoConfigurator.Choose(TinyLlama, OneCore, Box(2048));

        Assert.True(choice.Fits);
        Assert.Null(choice.Refusal);
        Assert.Equal(2048, choice.ContextSize);
        Assert.Equal(1, choice.Threads);
        Assert.Equal(1, choice.ParallelSequences);
        Assert.Equal(512, choice.MicroBatchSize);
        Assert.Equal(512, choice.BatchSize);
        Assert.InRange(choice.RequiredBytes, 1100 * MiB, (long)(2048 * MiB * 0.75));
        Assert.Equal(5, choice.Reasons.Count);
        Assert.Contains(choice.Reasons, r => r.StartsWith("context 2048:", StringComparison.Ordinal));
    }

    [Fact]
    public void Choose_NoParallelGiven_OffersTheEngineAsManySequencesAsFitBelowMedium()
    {
        var roomy = AutoConfigurator.Choose(TinyLlama, OneCore, Box(8192));
        var given = AutoConfigurator.Choose(TinyLlama, OneCore, Box(8192), new BoxSettings { ParallelSequences = 2 });

        Assert.Equal((1, EngineOptions.DefaultMaxAutoParallelSequences), (roomy.ParallelSequences, roomy.MaxAutoParallelSequences));
        Assert.Contains(roomy.Reasons, r => r.StartsWith($"parallel sequences: up to {EngineOptions.DefaultMaxAutoParallelSequences} fit", StringComparison.Ordinal));
        Assert.Equal((2, 1), (given.ParallelSequences, given.MaxAutoParallelSequences));
        Assert.Contains("parallel sequences 2: given", given.Reasons);
        var plan = MemoryEstimator.Estimate(TinyLlama, roomy.ContextSize, roomy.MicroBatchSize, roomy.MaxAutoParallelSequences);
        Assert.True(plan.TotalBytes + AutoConfigurator.ServerOverheadBytes <= 8192 * MiB * 0.75);
    }

    [Fact]
    public void Choose_OtherProcessesCrowdTheBox_ShorterContextOrSmallerMicroBatch()
    {
        var roomy = AutoConfigurator.Choose(TinyLlama, OneCore, Box(2048));
        var crowded = AutoConfigurator.Choose(TinyLlama, OneCore, Box(2048, othersMiB: 250));

        Assert.True(crowded.Fits);
        Assert.True(crowded.RequiredBytes < roomy.RequiredBytes);
        Assert.True(crowded.ContextSize < roomy.ContextSize || crowded.MicroBatchSize < roomy.MicroBatchSize);
    }

    [Fact]
    public void Choose_BoxSmallerThanTheWeights_RefusesWithFiguresAndAdvice()
    {
        var choice = AutoConfigurator.Choose(TinyLlama, OneCore, Box(1024));

        Assert.False(choice.Fits);
        Assert.Contains("does not fit", choice.Refusal, StringComparison.Ordinal);
        Assert.Contains("1024 MiB limit", choice.Refusal, StringComparison.Ordinal);
        Assert.Contains("smaller model", choice.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_GivenContextTooLong_RefusesAndNamesAContextThatFits()
    {
        var choice = AutoConfigurator.Choose(TinyLlama, OneCore, Box(1400), new BoxSettings { ContextSize = 65536 });

        Assert.False(choice.Fits);
        Assert.Matches(@"Use --ctx \d+ or less", choice.Refusal);
    }

    [Fact]
    public void Choose_Overrides_AreKeptAndSaidToBeGiven()
    {
        var choice = AutoConfigurator.Choose(TinyLlama, OneCore, Box(4096),
            new BoxSettings { ContextSize = 1024, BatchSize = 256, MicroBatchSize = 128, Threads = 3, ParallelSequences = 2 });

        Assert.True(choice.Fits);
        Assert.Equal((1024, 256, 128, 3, 2), (choice.ContextSize, choice.BatchSize, choice.MicroBatchSize, choice.Threads, choice.ParallelSequences));
        Assert.Equal(2048, choice.Estimate.KvCells);
        Assert.All(choice.Reasons, r => Assert.Contains("given", r, StringComparison.Ordinal));
    }

    [Fact]
    public void Choose_Q4KMFileRepackedOrNot_SplitsTheWeightsIntoRepackedAndMapped()
    {
        var path = _temp.File("q4km.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = SuperBlockModel.Shape, Quant = ModelQuantization.Q4_K_M });
        var file = GgufReader.Read(path);
        var info = ModelInfoReader.FromFile(file);
        var repacked = RepackedWeights.Bytes(file, RepackedWeights.LlamaCppTypes);

        var on = AutoConfigurator.Choose(info with { RepackedTensorBytes = RepackedWeights.AtLoad(file, true, () => CpuKernels.None) }, OneCore, Box(2048));
        var off = AutoConfigurator.Choose(info with { RepackedTensorBytes = RepackedWeights.AtLoad(file, false, () => CpuKernels.None) }, OneCore, Box(2048));

        Assert.True(repacked > 0);
        Assert.Equal((info.TensorDataBytes, repacked, info.TensorDataBytes - repacked), (on.Estimate.WeightsBytes, on.Estimate.RepackedWeightsBytes, on.Estimate.MappedWeightsBytes));
        Assert.Equal((info.TensorDataBytes, 0L, info.TensorDataBytes), (off.Estimate.WeightsBytes, off.Estimate.RepackedWeightsBytes, off.Estimate.MappedWeightsBytes));
        // What stays resident is the same sum; the load holds the repacked matrices' file pages besides, until reclaimed.
        Assert.Equal(off.RequiredBytes, on.RequiredBytes);
        Assert.Equal(off.LoadPeakBytes + repacked, on.LoadPeakBytes);
        var atLoad = MemoryEstimator.Estimate(info, off.ContextSize, off.MicroBatchSize, off.MaxAutoParallelSequences);
        Assert.Equal(atLoad.TotalBytes + AutoConfigurator.ServerOverheadBytes, off.LoadPeakBytes);
        Assert.Contains(on.Reasons, r => r.Contains(F($"({repacked / MiB} repacked into memory at load, {(info.TensorDataBytes - repacked) / MiB} mapped)"), StringComparison.Ordinal));
        Assert.Contains(on.Reasons, r => r.StartsWith(F($"load: the {repacked / MiB} MiB of repacked weights are copied into anonymous memory"), StringComparison.Ordinal));
        Assert.Contains(off.Reasons, r => r.Contains(F($"weights {info.TensorDataBytes / MiB} (mapped)"), StringComparison.Ordinal));
        Assert.DoesNotContain(off.Reasons, r => r.StartsWith("load:", StringComparison.Ordinal));
    }

    [Fact]
    public void Choose_TinyLlamaQ4KMRepackedInTwoGiB_TrainedContextAndTheLoadWithinTheLimit()
    {
        var choice = AutoConfigurator.Choose(TinyLlamaQ4KMRepacked, OneCore, Box(2048));
        var mapped = AutoConfigurator.Choose(TinyLlamaQ4KMRepacked with { RepackedTensorBytes = 0 }, OneCore, Box(2048));

        Assert.True(choice.Fits);
        Assert.Equal((2048, 512, EngineOptions.DefaultMaxAutoParallelSequences), (choice.ContextSize, choice.MicroBatchSize, choice.MaxAutoParallelSequences));
        Assert.Equal((mapped.ContextSize, mapped.MicroBatchSize, mapped.MaxAutoParallelSequences), (choice.ContextSize, choice.MicroBatchSize, choice.MaxAutoParallelSequences));
        // With the KV of every sequence the engine may keep; bench/RESULTS.md: the box peaked at 1,571 MiB with ten users.
        var atLoad = MemoryEstimator.Estimate(TinyLlamaQ4KMRepacked, 2048, 512, EngineOptions.DefaultMaxAutoParallelSequences);
        Assert.Equal(atLoad.TotalBytes + TinyLlamaQ4KMRepacked.RepackedTensorBytes + AutoConfigurator.ServerOverheadBytes, choice.LoadPeakBytes);
        Assert.True(choice.LoadPeakBytes < 2048 * MiB);
        Assert.Contains(choice.Reasons, r => r.StartsWith("load: the 455 MiB of repacked weights", StringComparison.Ordinal)
            && r.EndsWith("(with the KV of all 8 sequences), within the 2048 MiB left under the limit", StringComparison.Ordinal));
    }

    [Fact]
    public void Choose_LoadPeakAboveTheLimit_StillFitsAndSaysTheKernelReclaimsPageCache()
    {
        // 864 MiB stay resident (below 75 % of 1,280), but the load holds the repacked matrices' file pages as well.
        var choice = AutoConfigurator.Choose(TinyLlamaQ4KMRepacked, OneCore, Box(1280));

        Assert.True(choice.Fits);
        Assert.Null(choice.Refusal);
        Assert.Equal(2048, choice.ContextSize);
        Assert.True(choice.LoadPeakBytes > 1280 * MiB);
        Assert.Contains(choice.Reasons, r => r.StartsWith("load:", StringComparison.Ordinal) && r.Contains("MiB more than the 1280 MiB left under the limit, so the kernel reclaims page cache during the load", StringComparison.Ordinal));
    }

    [Fact]
    public void Choose_FourCores_FourThreads()
    {
        var cpu = OneCore with { OnlineCpus = 8, AllowedCpus = 4, QuotaCores = null };

        Assert.Equal(4, AutoConfigurator.Choose(TinyLlama, cpu, Box(2048)).Threads);
    }

    public void Dispose() => _temp.Dispose();

    private static string F(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
