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
}
