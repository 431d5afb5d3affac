using System.Buffers.Binary;
using Frugal.Models;

namespace Frugal.Tests.Models;

/// <summary>Synthesized models in every file type: block sizes our reader checks, finite scales, and llama.cpp runs them.</summary>
public sealed class ModelSynthesizerQuantTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Quants => [.. ModelQuantization.Known.Select(q => q.Name)];

    [Theory]
    [MemberData(nameof(Quants))]
    public void Write_EachFileType_ReaderAgreesOnTypesSizesAndScales(string name)
    {
        var quant = ModelQuantization.FromName(name)!;
        var path = _temp.File($"{name}.gguf");

        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = SuperBlockModel.Shape, Quant = quant });
        var file = GgufReader.Read(path);
        var info = ModelInfoReader.FromFile(file);

        Assert.Equal(quant.ToString(), info.FileType);
        Assert.Equal(quant.BaseType, file.Tensors.Single(t => t.Name == "blk.2.attn_q.weight").Type);
        using var data = File.OpenRead(path);
        foreach (var tensor in file.Tensors)
        {
            Assert.Equal(tensor.ElementCount / GgmlTypeInfo.BlockSize(tensor.Type) * GgmlTypeInfo.TypeSize(tensor.Type), tensor.ByteSize);
            AssertScalesFinite(data, file.DataOffset, tensor);
        }
    }

    [Fact]
    public void Write_Q4KM_GivesQ6KToHalfTheValueAndDownMatricesAndTheOutput()
    {
        var path = _temp.File("q4km.gguf");

        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = SuperBlockModel.Shape, Quant = ModelQuantization.Q4_K_M });
        var file = GgufReader.Read(path);

        // 8 layers: the first and last eighth (0, 7) and every third after the first eighth (3, 6).
        var q6 = file.Tensors.Where(t => t.Type == GgmlType.Q6_K).Select(t => t.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["blk.0.attn_v.weight", "blk.0.ffn_down.weight", "blk.3.attn_v.weight", "blk.3.ffn_down.weight",
            "blk.6.attn_v.weight", "blk.6.ffn_down.weight", "blk.7.attn_v.weight", "blk.7.ffn_down.weight", "output.weight"], q6);
    }

    [Fact]
    public void Write_Q8_0_QuantsSpanMinus127To127WithoutMinus128()
    {
        // llama.cpp's quantizer rounds to -127..127, and Frugal's Q8_0 kernel takes a faster sign order for such
        // matrices: a synthesized file must be one, or benchmarks on it would measure the slower path.
        var path = _temp.File("q8_0.gguf");

        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = SuperBlockModel.Shape, Quant = ModelQuantization.Q8_0 });
        var file = GgufReader.Read(path);
        var bytes = File.ReadAllBytes(path);

        var quants = file.Tensors.Where(t => t.Type == GgmlType.Q8_0)
            .SelectMany(t => Enumerable.Range(0, (int)(t.ByteSize / 34)).Select(block => file.DataOffset + t.Offset + 34L * block))
            .SelectMany(block => bytes.AsSpan((int)block + 2, 32).ToArray().Select(b => (sbyte)b))
            .ToArray();
        Assert.True(quants.Length > 100_000, $"{quants.Length} quants");
        Assert.DoesNotContain((sbyte)-128, quants);
        Assert.Equal(-127, quants.Min());
        Assert.Equal(127, quants.Max());
    }

    [Fact]
    public void Read_K_TypeTensorWithRowsNotWholeSuperBlocks_IsRejected()
    {
        var path = _temp.File("bad.gguf");
        var bytes = new RawGguf().Header(1, 0).Tensor("a", (uint)GgmlType.Q4_K, 0, 128, 2).PadTo(32).Zeros(144).ToArray();
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ModelFileException>(() => GgufReader.Read(path));
        Assert.Contains("block size 256", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Quants))]
    public async Task Write_EachFileType_LoadedByLlamaCpp_GeneratesVariedTokens(string name)
    {
        var path = _temp.File($"{name}.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = SuperBlockModel.Shape, Quant = ModelQuantization.FromName(name)! });

        var text = await PlainLlama.GenerateAsync(path);

        Assert.True(text.Distinct().Count() > 3, $"{name}: generated text is too uniform: '{text}'");
    }

    /// <summary>Every block's F16 scales (where ggml's block layout puts them) are finite and not zero.</summary>
    private static void AssertScalesFinite(FileStream data, long dataOffset, GgufTensorInfo tensor)
    {
        int[] at = tensor.Type switch
        {
            GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => [0],
            GgmlType.Q5_1 or GgmlType.Q4_K or GgmlType.Q5_K => [0, 2],
            GgmlType.Q6_K => [208],
            _ => [],
        };
        if (at.Length == 0)
        {
            return;
        }

        var block = new byte[GgmlTypeInfo.TypeSize(tensor.Type)];
        data.Position = dataOffset + tensor.Offset;
        for (long b = 0; b < tensor.ByteSize / block.Length; b++)
        {
            data.ReadExactly(block);
            foreach (var offset in at)
            {
                var scale = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(offset)));
                Assert.True(float.IsFinite(scale) && scale != 0, $"{tensor.Name} block {b}: scale {scale}");
            }
        }
    }
}
