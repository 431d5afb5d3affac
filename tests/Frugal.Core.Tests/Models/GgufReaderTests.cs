using Frugal.Models;

namespace Frugal.Tests.Models;

public sealed class GgufReaderTests
{
    public static TheoryData<string> Files => SharedModels.With(
        [TestModels.TinyRandomName, TestModels.VocabularyName], SharedModels.TinyRandomLlama2Name, SharedModels.LlamaVocabularyName);

    public static TheoryData<string> RandomLlamas => TestModels.RandomLlamas;

    [Theory]
    [MemberData(nameof(Files))]
    public void Read_LlamaModelOrVocabulary_ReadsHeaderAndTensorTable(string name)
    {
        var vocabularyOnly = name is TestModels.VocabularyName or SharedModels.LlamaVocabularyName;
        var path = vocabularyOnly ? TestModels.VocabularyFile(name) : TestModels.RandomLlama(name);
        var tensors = vocabularyOnly ? 0 : 12;

        var file = GgufReader.Read(path);

        Assert.Equal(3u, file.Version);
        Assert.Equal(32, file.Alignment);
        Assert.Equal("llama", file.GetString("general.architecture"));
        Assert.Equal(32000, file.GetArray("tokenizer.ggml.tokens")!.Count);
        Assert.Equal(tensors, file.Tensors.Count);
        Assert.All(file.Tensors, t => Assert.True(file.DataOffset + t.Offset + t.ByteSize <= file.FileSizeBytes));
    }

    [Theory]
    [MemberData(nameof(RandomLlamas))]
    public void Read_TinyRandomLlama_TensorOffsetsAreContiguousAndAligned(string model)
    {
        var file = GgufReader.Read(TestModels.RandomLlama(model));

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
