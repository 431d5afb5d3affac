using Frugal.Memory;
using Frugal.Models;
using Frugal.Tests.Models.Corpus;

namespace Frugal.Tests.Models;

/// <summary>
/// More hand-assembled broken headers (beside <see cref="GgufReaderMalformedTests"/>), metadata that would cost far more
/// memory than its bytes, the memory estimate's arithmetic and the pinned file; the named corpus of changed complete
/// models (hyper-parameters llama.cpp asserts on among them) is <see cref="MalformedModelFileCorpusTests"/>.
/// </summary>
public sealed class MalformedModelCorpusTests : IDisposable
{
    private const uint F32 = 0;

    private static readonly Lazy<string> Tiny = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("frugal-corpus-").FullName, "tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        return path;
    });

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, byte[], string> HeaderVariants() => new()
    {
        { "magic only", "GGUF"u8.ToArray(), "too small" },
        { "lower-case magic", new RawGguf().Raw("gguf"u8.ToArray()).U32(3).U64(0).U64(0).ToArray(), "bad magic" },
        { "version 0", new RawGguf().Header(0, 0, version: 0).ToArray(), "unknown GGUF version 0" },
        { "version 4", new RawGguf().Header(0, 0, version: 4).ToArray(), "unknown GGUF version 4" },
        { "big-endian version 2", new RawGguf().Header(0, 0, version: 0x02000000).ToArray(), "big-endian" },
        { "metadata count without metadata", new RawGguf().Header(0, 1).ToArray(), "metadata count" },
        { "key of 65,536 bytes", new RawGguf().Header(0, 1).U64(65_536).Zeros(65_600).ToArray(), "more than the limit" },
        { "value type 0xFFFFFFFF", new RawGguf().Header(0, 1).Str("k").U32(uint.MaxValue).U32(0).ToArray(), "unknown metadata value type" },
        { "bool array with a 2", new RawGguf().Header(0, 1).Str("k").U32(9).U32(7).U64(3).U8(1).U8(0).U8(2).ToArray(), "byte value 2" },
        { "string array element past the end", new RawGguf().Header(0, 1).Str("k").U32(9).U32(8).U64(2).Str("a").U64(50).Zeros(20).ToArray(), "only 20 remain" },
        { "int8 array past the end", new RawGguf().Header(0, 1).Str("k").U32(9).U32(1).U64(64).Zeros(40).ToArray(), "only 40 bytes remain" },
        { "float64 array past the end", new RawGguf().Header(0, 1).Str("k").U32(9).U32(12).U64(10).Zeros(40).ToArray(), "only 40 bytes remain" },
        { "nested array of an unknown type", new RawGguf().Header(0, 1).Str("k").U32(9).U32(9).U64(1).U32(77).U64(0).ToArray(), "unknown metadata value type 77" },
        { "arrays nested nine deep", GgufReaderMalformedTests_DeepArrays(9), "deeper than" },
        { "alignment as UInt64", new RawGguf().Header(0, 1).Str("general.alignment").U32(10).U64(32).ToArray(), "must be a UInt32" },
        { "alignment 2 MiB", new RawGguf().Header(0, 1).KvU32("general.alignment", 2 << 20).ToArray(), "power of two" },
        { "alignment 3", new RawGguf().Header(0, 1).KvU32("general.alignment", 3).ToArray(), "power of two" },
        { "tensor name of 64 bytes", Tensor(t => t.Tensor(new string('n', 64), F32, 0, 8)), "limit of 63" },
        { "tensor with 2^32-1 dimensions", new RawGguf().Header(1, 0).Str("a").U32(uint.MaxValue).Zeros(64).ToArray(), "dimensions" },
        { "tensor type 9999", Tensor(t => t.Tensor("a", 9999, 0, 8)), "unknown ggml type 9999" },
        { "two tensors at one offset", new RawGguf().Header(2, 0).Tensor("a", F32, 0, 8).Tensor("b", F32, 0, 8).PadTo(32).Zeros(64).ToArray(), "overlaps" },
        { "offset misaligned to a custom alignment", new RawGguf().Header(1, 1).KvU32("general.alignment", 64).Tensor("a", F32, 32, 8).PadTo(64).Zeros(128).ToArray(),
            "not aligned to 64" },
        { "tensor one byte past the end", new RawGguf().Header(1, 0).Tensor("a", F32, 0, 8).PadTo(32).Zeros(31).ToArray(), "past the end" },
        { "tensor data missing entirely", new RawGguf().Header(1, 0).Tensor("a", F32, 0, 8).ToArray(), "past the end" },
        { "tensor count 2^63", new RawGguf().Header(1UL << 63, 0).Zeros(64).ToArray(), "tensor count" },
        { "metadata count 2^40", new RawGguf().Header(0, 1UL << 40).Zeros(64).ToArray(), "metadata count" },
        { "string length 2^63", new RawGguf().Header(0, 1).Str("k").U32(8).U64(1UL << 63).Zeros(16).ToArray(), "more than the limit" },
        { "array length 2^63", new RawGguf().Header(0, 1).Str("k").U32(9).U32(4).U64(1UL << 63).Zeros(16).ToArray(), "more than the limit" },
        { "duplicate key after others", new RawGguf().Header(0, 3).KvU32("a", 1).KvU32("b", 2).KvU32("a", 3).ToArray(), "duplicate metadata key 'a'" },
        { "tensor dimension 2^63 + 1", Tensor(t => t.Tensor("a", F32, 0, (1UL << 63) + 1)), "is negative" },
        { "tensor dimensions overflow in the third", Tensor(t => t.Tensor("a", F32, 0, 1UL << 30, 1UL << 30, 1UL << 30)), "overflows" },
    };

    [Theory]
    [MemberData(nameof(HeaderVariants))]
    public void Read_MalformedHeader_ThrowsModelFileExceptionNamingTheProblem(string variant, byte[] bytes, string problem)
    {
        var path = _temp.File("bad.gguf");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ModelFileException>(() => GgufReader.Read(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(variant));
    }

    [Fact]
    public void Read_FourMillionEmptyStrings_RefusedByTheMetadataBudget()
    {
        // 32 MB of file that would become ≈300 MB of string objects.
        const int count = 1 << 22;
        var raw = new RawGguf().Header(0, 1).Str("k").U32(9).U32(8).U64(count).Zeros(8 * count);
        var path = _temp.File("strings.gguf");
        File.WriteAllBytes(path, raw.ToArray());

        var e = Assert.Throws<ModelFileException>(() => GgufReader.Read(path));

        Assert.Contains("MiB of memory to read", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ManyArraysOfEmptyArrays_RefusedByTheMetadataBudget()
    {
        // Each empty inner array is 12 bytes of file and several objects once read.
        const int perKey = 1 << 20;
        var raw = new RawGguf().Header(0, 3);
        foreach (var key in new[] { "a", "b", "c" })
        {
            raw.Str(key).U32(9).U32(9).U64(perKey);
            raw.Raw(Enumerable.Repeat(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, perKey).SelectMany(b => b).ToArray());
        }

        var path = _temp.File("arrays.gguf");
        File.WriteAllBytes(path, raw.ToArray());

        var e = Assert.Throws<ModelFileException>(() => GgufReader.Read(path));

        Assert.Contains("MiB of memory to read", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_ValidMixtureOfExperts_AcceptedAndLoadsInLlamaCpp()
    {
        // Eight experts of the dense layers' width: a router and three stacked expert matrices per layer instead of the gated feed-forward.
        var path = _temp.File("moe.gguf");
        File.WriteAllBytes(path, CorpusBase.Tiny.RewriteTensors(
            tensors => tensors.SelectMany(t => t.Name.Contains(".ffn_", StringComparison.Ordinal) && !t.Name.EndsWith("ffn_norm.weight", StringComparison.Ordinal)
                ? Experts(t.Name)
                : [t]),
            ("llama.expert_count", U32(8)), ("llama.expert_used_count", U32(2)), ("llama.attention.key_length", U32(16))));

        Assert.Equal(2, ModelInfoReader.Read(path).BlockCount);
        await using var engine = await Frugal.Inference.LlamaEngine.LoadAsync(new Frugal.Inference.EngineOptions { ModelPath = path, ContextSize = 64 }, ct: TestContext.Current.CancellationToken);
        Assert.Equal(2, engine.Model.BlockCount);

        static IEnumerable<CorpusTensor> Experts(string name) => name[(name.IndexOf(".ffn_", StringComparison.Ordinal) + 5)..] switch
        {
            "gate.weight" =>
            [
                CorpusTensor.Zeros(name.Replace("ffn_gate", "ffn_gate_inp", StringComparison.Ordinal), GgmlType.F32, 64, 8),
                CorpusTensor.Zeros(name.Replace("ffn_gate", "ffn_gate_exps", StringComparison.Ordinal), GgmlType.Q8_0, 64, 192, 8),
            ],
            "up.weight" => [CorpusTensor.Zeros(name.Replace("ffn_up", "ffn_up_exps", StringComparison.Ordinal), GgmlType.Q8_0, 64, 192, 8)],
            _ => [CorpusTensor.Zeros(name.Replace("ffn_down", "ffn_down_exps", StringComparison.Ordinal), GgmlType.F16, 192, 64, 8)],
        };
    }

    [Fact]
    public void Estimate_ShapeWhoseProductsOverflow_SaysItNeverFits()
    {
        var model = ModelInfoReader.Read(Tiny.Value) with
        {
            EmbeddingLength = int.MaxValue,
            HeadCount = 1,
            HeadCountKv = int.MaxValue,
            BlockCount = int.MaxValue,
            VocabSize = int.MaxValue,
        };

        var estimate = MemoryEstimator.Estimate(model, int.MaxValue, int.MaxValue, 64, flashAttention: false);

        Assert.True(estimate.TotalBytes > 1L << 60, $"estimated {estimate.TotalBytes} bytes");
        Assert.True(estimate.KvCacheBytes > 0 && estimate.ComputeBytes > 0);
    }

    [Fact]
    public void PinnedModelFile_PathSwappedAfterValidation_LoadPathStillReadsTheCheckedFile()
    {
        var path = _temp.File("model.gguf");
        File.Copy(Tiny.Value, path);
        using var pinned = PinnedModelFile.Open(path);
        var swapped = _temp.File("swap.gguf");
        File.WriteAllBytes(swapped, "GGUF not really"u8.ToArray());

        File.Move(swapped, path, overwrite: true);

        Assert.NotEqual(path, pinned.LoadPath);
        Assert.Equal(File.ReadAllBytes(Tiny.Value), File.ReadAllBytes(pinned.LoadPath));
        Assert.Equal("llama", pinned.File.GetString("general.architecture"));
    }

    private static GgufValue U32(uint value) => GgufValue.FromUInt32(value);

    private static byte[] Tensor(Func<RawGguf, RawGguf> tensor) => tensor(new RawGguf().Header(1, 0)).PadTo(32).Zeros(64).ToArray();

    private static byte[] GgufReaderMalformedTests_DeepArrays(int depth)
    {
        var raw = new RawGguf().Header(0, 1).Str("k").U32(9);
        for (var i = 0; i < depth; i++)
        {
            raw.U32(9).U64(1);
        }

        return raw.U32(4).U64(0).ToArray();
    }
}
