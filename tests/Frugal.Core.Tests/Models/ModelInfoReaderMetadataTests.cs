using Frugal.Models;
using Frugal.Tests.Models.Corpus;

namespace Frugal.Tests.Models;

/// <summary>Whatever type or value a metadata key has, the model reader answers or raises ModelFileException.</summary>
public sealed class ModelInfoReaderMetadataTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly GgufValue[] OddValues =
    [
        GgufValue.FromString("abc"),
        GgufValue.FromFloat32(float.NaN),
        GgufValue.FromInt32(-1),
        GgufValue.FromUInt64(ulong.MaxValue),
        GgufValue.FromInt64(0),
        GgufValue.FromBool(true),
        GgufValue.FromArray(new GgufArray(GgufValueType.String, new[] { "x", "y" })),
        GgufValue.FromArray(new GgufArray(GgufValueType.UInt64, new[] { ulong.MaxValue })),
        GgufValue.FromArray(new GgufArray(GgufValueType.Array, new[] { new GgufArray(GgufValueType.Int32, new[] { 1 }) })),
        GgufValue.FromArray(new GgufArray(GgufValueType.Float32, Array.Empty<float>())),
    ];

    [Fact]
    public void Read_EveryKeyWithOddValues_AnswersOrThrowsModelFileException()
    {
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        var keys = GgufReader.Read(path).MetadataEntries.Select(e => e.Key).Where(k => k != "general.alignment").ToList();
        var broken = _temp.File("odd.gguf");
        var rejected = 0;

        foreach (var key in keys)
        {
            foreach (var value in OddValues)
            {
                ModelRewriter.Rewrite(path, broken, key, value);
                try
                {
                    ModelInfoReader.Read(broken);
                }
                catch (ModelFileException)
                {
                    rejected++;
                }
            }
        }

        // The shape keys alone reject most odd values; every other outcome is a normal answer.
        Assert.True(rejected > 40, $"only {rejected} odd values were rejected");
    }

    [Fact]
    public void Read_PerLayerFeedForwardArray_UsesTheLargest()
    {
        // Layer 0's feed-forward 128 wide, layer 1's 192, as the array says.
        var layered = _temp.File("layered.gguf");
        File.WriteAllBytes(layered, CorpusBase.Tiny.RewriteTensors(
            tensors => tensors.Select(t => t.Name switch
            {
                "blk.0.ffn_gate.weight" or "blk.0.ffn_up.weight" => CorpusTensor.Zeros(t.Name, t.Type, 64, 128),
                "blk.0.ffn_down.weight" => CorpusTensor.Zeros(t.Name, t.Type, 128, 64),
                _ => t,
            }),
            ("llama.feed_forward_length", GgufValue.FromArray(new GgufArray(GgufValueType.UInt32, new uint[] { 128, 192 })))));

        Assert.Equal(192, ModelInfoReader.Read(layered).FeedForwardLength);
    }

    [Fact]
    public void Read_BlockCountAsString_ThrowsNamingTheKey()
    {
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        var broken = _temp.File("string.gguf");
        ModelRewriter.Rewrite(path, broken, "llama.block_count", GgufValue.FromString("22"));

        var e = Assert.Throws<ModelFileException>(() => ModelInfoReader.Read(broken));

        Assert.Contains("llama.block_count", e.Problem, StringComparison.Ordinal);
    }
}
