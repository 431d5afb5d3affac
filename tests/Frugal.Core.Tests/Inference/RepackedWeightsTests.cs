using Frugal.Inference;
using Frugal.Models;
using Frugal.Tests.Models;

namespace Frugal.Tests.Inference;

/// <summary>Which weights llama.cpp repacks: the repacked types' matrices, not the token embedding, nothing of another type.</summary>
public sealed class RepackedWeightsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Bytes_Q4KMFile_ItsQ4KMatricesButNotTheEmbedding()
    {
        var path = _temp.File("q4km.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = SuperBlockModel.Shape, Quant = ModelQuantization.Q4_K_M });
        var file = GgufReader.Read(path);

        var bytes = RepackedWeights.Bytes(file, RepackedWeights.LlamaCppTypes);

        var q4k = file.Tensors.Where(t => t.Type == GgmlType.Q4_K).ToList();
        Assert.Contains(q4k, t => t.Name == "token_embd.weight");
        Assert.Equal(q4k.Where(t => t.Name != "token_embd.weight").Sum(t => t.ByteSize), bytes);
        Assert.True(bytes > file.TensorDataBytes / 2, "most of a Q4_K_M file's bytes are Q4_K matrices");
    }

    [Fact]
    public void AtLoad_Q4KMFile_ItsRepackedBytesWhenOnOrAutoNoneWhenOff()
    {
        var path = _temp.File("q4km.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = SuperBlockModel.Shape, Quant = ModelQuantization.Q4_K_M });
        var file = GgufReader.Read(path);
        var repacked = RepackedWeights.Bytes(file, RepackedWeights.LlamaCppTypes);
        var ownMappedKernels = new CpuKernels(new HashSet<GgmlType> { GgmlType.Q4_K, GgmlType.Q6_K }, new HashSet<GgmlType>());

        Assert.True(repacked > 0);
        Assert.Equal(repacked, RepackedWeights.AtLoad(file, true, () => CpuKernels.None));
        Assert.Equal(repacked, RepackedWeights.AtLoad(file, null, () => CpuKernels.None));
        Assert.Equal(0, RepackedWeights.AtLoad(file, false, () => CpuKernels.None));
        Assert.Equal(0, RepackedWeights.AtLoad(file, null, () => ownMappedKernels));
    }

    [Fact]
    public void AtLoad_Q8_0File_NoneEvenWhenAskedAndTheKernelsAreNotAsked()
    {
        var path = _temp.File("q8.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = SuperBlockModel.Shape, Quant = ModelQuantization.Q8_0 });
        var file = GgufReader.Read(path);
        var asked = 0;

        Assert.Equal(0, RepackedWeights.AtLoad(file, null, () => { asked++; return CpuKernels.None; }));
        Assert.Equal(0, RepackedWeights.AtLoad(file, true, () => { asked++; return CpuKernels.None; }));
        Assert.Equal(0, asked);
    }

    [Fact]
    public void Bytes_FileOfOtherTypes_None()
    {
        var path = _temp.File("q8.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = SuperBlockModel.Shape, Quant = ModelQuantization.Q8_0 });

        Assert.Equal(0, RepackedWeights.Bytes(GgufReader.Read(path), RepackedWeights.LlamaCppTypes));
    }

    [Fact]
    public void Bytes_RowsNotInGroupsOfEight_StayMapped()
    {
        // llama.cpp repacks eight rows at a time: a matrix of 12 rows is left as it is.
        var path = _temp.File("rows.gguf");
        File.WriteAllBytes(path, new RawGguf().Header(2, 0).Tensor("a", (uint)GgmlType.Q4_0, 0, 32, 12).Tensor("b", (uint)GgmlType.Q4_0, 224, 32, 16)
            .PadTo(32).Zeros(512).ToArray());

        Assert.Equal(16 * 18, RepackedWeights.Bytes(GgufReader.Read(path), RepackedWeights.LlamaCppTypes));
    }

    [Fact]
    public void FileRanges_RepackedTensorsAroundAnother_AdjacentOnesJoinedTheOtherLeftOut()
    {
        // a (Q4_0, 288 bytes), b (F32, 32 bytes: stays mapped), then c and d (Q4_0, 288 bytes each): a, and c with d.
        var path = _temp.File("runs.gguf");
        File.WriteAllBytes(path, new RawGguf().Header(4, 0)
            .Tensor("a", (uint)GgmlType.Q4_0, 0, 32, 16).Tensor("b", (uint)GgmlType.F32, 288, 8)
            .Tensor("c", (uint)GgmlType.Q4_0, 320, 32, 16).Tensor("d", (uint)GgmlType.Q4_0, 608, 32, 16)
            .PadTo(32).Zeros(896).ToArray());
        var file = GgufReader.Read(path);

        var ranges = RepackedWeights.FileRanges(file, RepackedWeights.LlamaCppTypes, 32);

        Assert.Equal([(file.DataOffset, 288L), (file.DataOffset + 320, 576L)], ranges);
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(2 << 20)]
    public void FileRanges_Q4KMFile_WholeUnitsOfRepackedTensorsOnly(long alignment)
    {
        var path = _temp.File("q4km.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions
        {
            Shape = SuperBlockModel.Shape with { EmbeddingLength = 1024, FeedForwardLength = 4096, HeadCount = 8, HeadCountKv = 4, BlockCount = 4 },
            Quant = ModelQuantization.Q4_K_M,
        });
        var file = GgufReader.Read(path);
        var repacked = RepackedWeights.Tensors(file, RepackedWeights.LlamaCppTypes).ToHashSet();

        var ranges = RepackedWeights.FileRanges(file, RepackedWeights.LlamaCppTypes, alignment);

        Assert.NotEmpty(ranges);
        Assert.All(ranges, r => Assert.True(r.Offset % alignment == 0 && r.Length % alignment == 0 && r.Length > 0, $"{r}"));
        Assert.True(ranges.Sum(r => r.Length) <= repacked.Sum(t => t.ByteSize));
        // No unit of the file a range covers holds a byte of a tensor that stays mapped.
        foreach (var tensor in file.Tensors.Where(t => !repacked.Contains(t) && t.ByteSize > 0))
        {
            var start = (file.DataOffset + tensor.Offset) / alignment * alignment;
            var end = file.DataOffset + tensor.Offset + tensor.ByteSize;
            Assert.DoesNotContain(ranges, r => r.Offset < end && start < r.Offset + r.Length);
        }
    }
}
