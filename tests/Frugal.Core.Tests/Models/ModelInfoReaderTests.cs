using Frugal.Models;

namespace Frugal.Tests.Models;

public sealed class ModelInfoReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> RandomLlamas => TestModels.RandomLlamas;

    public static TheoryData<string> Vocabularies => SharedModels.With([TestModels.VocabularyName], SharedModels.LlamaVocabularyName);

    [Theory]
    [MemberData(nameof(RandomLlamas))]
    public void Read_TinyRandomLlama_ReportsItsShape(string model)
    {
        var info = ModelInfoReader.Read(TestModels.RandomLlama(model));

        Assert.Equal("llama", info.Architecture);
        Assert.Equal("F16", info.FileType);
        Assert.Equal(1, info.BlockCount);
        Assert.Equal(8, info.EmbeddingLength);
        Assert.Equal(2, info.HeadCount);
        Assert.Equal(2, info.HeadCountKv);
        Assert.Equal(32, info.FeedForwardLength);
        Assert.Equal(4096, info.ContextLength);
        Assert.Equal(32000, info.VocabSize);
        Assert.Equal("llama", info.TokenizerModel);
        Assert.Equal(1, info.BosTokenId);
        Assert.Equal(2, info.EosTokenId);
        Assert.Null(info.ChatTemplate);
        Assert.Equal(ChatTemplateFamily.Unknown, info.ChatTemplateFamily);
        Assert.Equal(new Dictionary<string, int> { ["F16"] = 9, ["F32"] = 3 }, info.TensorTypeHistogram);
        // 2 x 8x32000 embeddings/output + 4 x 8x8 attention + 3 x 8x32 feed-forward + 3 x 8 norms.
        Assert.Equal(512_000 + 256 + 768 + 24, info.ParameterCount);
        Assert.Equal(new FileInfo(info.Path).Length, info.FileSizeBytes);
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Read_VocabularyOnlyFile_ThrowsNotACompleteModel(string vocabulary)
    {
        var e = Assert.Throws<ModelFileException>(() => ModelInfoReader.Read(TestModels.VocabularyFile(vocabulary)));

        Assert.Contains("no tensors", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingBlockCount_ThrowsNamingTheKey()
    {
        var path = _temp.File("nokeys.gguf");
        new GgufWriter()
            .Set("general.architecture", GgufValue.FromString("llama"))
            .Set("llama.embedding_length", GgufValue.FromUInt32(32))
            .Set("llama.attention.head_count", GgufValue.FromUInt32(4))
            .Set("llama.context_length", GgufValue.FromUInt32(64))
            .AddTensor("token_embd.weight", GgmlType.F32, [32, 2], new byte[256])
            .WriteTo(path);

        var e = Assert.Throws<ModelFileException>(() => ModelInfoReader.Read(path));

        Assert.Contains("llama.block_count", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HeadsNotDivisibleByKvHeads_Throws()
    {
        var path = _temp.File("heads.gguf");
        new GgufWriter()
            .Set("general.architecture", GgufValue.FromString("llama"))
            .Set("llama.embedding_length", GgufValue.FromUInt32(32))
            .Set("llama.attention.head_count", GgufValue.FromUInt32(4))
            .Set("llama.attention.head_count_kv", GgufValue.FromUInt32(3))
            .AddTensor("token_embd.weight", GgmlType.F32, [32, 2], new byte[256])
            .WriteTo(path);

        var e = Assert.Throws<ModelFileException>(() => ModelInfoReader.Read(path));

        Assert.Contains("key/value heads", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EosOutsideVocabulary_Throws()
    {
        var path = _temp.File("eos.gguf");
        ModelSynthesizer.WriteTiny(path);
        var file = GgufReader.Read(path);
        var writer = new GgufWriter();
        foreach (var (key, value) in file.MetadataEntries)
        {
            writer.Set(key, value);
        }

        writer.Set("tokenizer.ggml.eos_token_id", GgufValue.FromUInt32(1_000_000))
            .AddTensor("token_embd.weight", GgmlType.F32, [64, file.GetArray("tokenizer.ggml.tokens")!.Count],
                new byte[64 * 4 * file.GetArray("tokenizer.ggml.tokens")!.Count]);
        var broken = _temp.File("eos-broken.gguf");
        writer.WriteTo(broken);

        var e = Assert.Throws<ModelFileException>(() => ModelInfoReader.Read(broken));

        Assert.Contains("eos_token_id", e.Problem, StringComparison.Ordinal);
    }
}
