using Frugal.Models;

namespace Frugal.Tests.Models;

public sealed class GgufReaderTests
{
    [Theory]
    [InlineData("llama-2-tiny-random.gguf", 12)]
    [InlineData("ggml-vocab-llama-spm.gguf", 0)]
    public void Read_SharedModel_ReadsHeaderAndTensorTable(string name, int tensors)
    {
        var path = Path.Combine(TestModels.SharedDirectory, name);

        var file = GgufReader.Read(path);

        Assert.Equal(3u, file.Version);
        Assert.Equal(32, file.Alignment);
        Assert.Equal("llama", file.GetString("general.architecture"));
        Assert.Equal(32000, file.GetArray("tokenizer.ggml.tokens")!.Count);
        Assert.Equal(tensors, file.Tensors.Count);
        Assert.All(file.Tensors, t => Assert.True(file.DataOffset + t.Offset + t.ByteSize <= file.FileSizeBytes));
    }

    [Fact]
    public void Read_SharedTinyRandom_TensorOffsetsAreContiguousAndAligned()
    {
        var file = GgufReader.Read(Path.Combine(TestModels.SharedDirectory, "llama-2-tiny-random.gguf"));

        var expected = 0L;
        foreach (var t in file.Tensors)
        {
            Assert.Equal(expected, t.Offset);
            expected = (t.Offset + t.ByteSize + 31) / 32 * 32;
        }

        Assert.Equal(file.FileSizeBytes, file.DataOffset + file.Tensors[^1].Offset + file.Tensors[^1].ByteSize);
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFound()
    {
        var path = Path.Combine(Path.GetTempPath(), "frugal-no-such-" + Guid.NewGuid().ToString("N") + ".gguf");

        var e = Assert.Throws<ModelFileException>(() => GgufReader.Read(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("not found", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Directory_ThrowsNotAModelFile()
    {
        var e = Assert.Throws<ModelFileException>(() => GgufReader.Read(Path.GetTempPath()));

        Assert.Contains("directory", e.Problem, StringComparison.Ordinal);
    }
}
