using Frugal.Models;

namespace Frugal.Tests.Models;

public sealed class ModelSynthesizerTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void WriteTiny_BuiltInVocabulary_IsTheTinyLlamaShapedTestModel()
    {
        var path = _temp.File("tiny.gguf");

        ModelSynthesizer.WriteTiny(path);
        var info = ModelInfoReader.Read(path);

        Assert.Equal("llama", info.Architecture);
        Assert.Equal("Q8_0", info.FileType);
        Assert.Equal(ModelShape.Tiny.EmbeddingLength, info.EmbeddingLength);
        Assert.Equal(ModelShape.Tiny.BlockCount, info.BlockCount);
        Assert.Equal(ModelShape.Tiny.HeadCount, info.HeadCount);
        Assert.Equal(ModelShape.Tiny.HeadCountKv, info.HeadCountKv);
        Assert.Equal(ModelShape.Tiny.FeedForwardLength, info.FeedForwardLength);
        Assert.Equal(2048, info.ContextLength);
        Assert.Equal(ChatTemplateFamily.Zephyr, info.ChatTemplateFamily);
        Assert.Equal(KnownChatTemplates.TinyLlamaZephyr, info.ChatTemplate);
        Assert.Equal("llama", info.TokenizerModel);
        Assert.Equal(1, info.BosTokenId);
        Assert.Equal(2, info.EosTokenId);
        Assert.Equal(1 + (2 * ModelShape.Tiny.BlockCount), info.TensorTypeHistogram["F32"]);
        Assert.Equal(2 + (7 * ModelShape.Tiny.BlockCount), info.TensorTypeHistogram["Q8_0"]);
        Assert.InRange(info.FileSizeBytes, 100_000, 8_000_000);
    }

    [Fact]
    public void WriteTiny_BuiltInVocabulary_HasSentencePieceBytesAndSpecials()
    {
        var path = _temp.File("tiny.gguf");

        ModelSynthesizer.WriteTiny(path);
        var file = GgufReader.Read(path);
        var tokens = file.GetArray("tokenizer.ggml.tokens")!.As<string>()!;
        var types = file.GetArray("tokenizer.ggml.token_type")!.As<int>()!;
        var scores = file.GetArray("tokenizer.ggml.scores")!.As<float>()!;

        Assert.Equal(["<unk>", "<s>", "</s>"], tokens.Take(3));
        Assert.Equal("<0x00>", tokens[3]);
        Assert.Equal("<0xFF>", tokens[258]);
        Assert.All(Enumerable.Range(3, 256), i => Assert.Equal(6, types[i]));
        Assert.Contains("\u2581the", tokens);
        Assert.Equal(tokens.Count, scores.Count);
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    public static TheoryData<string> Vocabularies => SharedModels.With([TestModels.VocabularyName], SharedModels.LlamaVocabularyName);

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void WriteTiny_VocabularyFromFile_CopiesTokenizerAndSizesEmbeddings(string vocabulary)
    {
        var path = _temp.File("tiny-spm.gguf");
        var source = GgufReader.Read(TestModels.VocabularyFile(vocabulary));

        ModelSynthesizer.WriteTiny(path, source.Path);
        var file = GgufReader.Read(path);
        var info = ModelInfoReader.FromFile(file);

        Assert.Equal(32000, info.VocabSize);
        Assert.Equal([64L, 32000L], file.Tensors.Single(t => t.Name == "token_embd.weight").Dimensions);
        Assert.Equal([64L, 32000L], file.Tensors.Single(t => t.Name == "output.weight").Dimensions);
        Assert.Equal(TokenizerKeys(source), TokenizerKeys(file));
        Assert.Equal(source.GetArray("tokenizer.ggml.tokens")!.As<string>(), file.GetArray("tokenizer.ggml.tokens")!.As<string>());
        Assert.Equal(source.GetArray("tokenizer.ggml.scores")!.As<float>(), file.GetArray("tokenizer.ggml.scores")!.As<float>());
        Assert.Equal(ChatTemplateFamily.Zephyr, info.ChatTemplateFamily);
    }

    [Fact]
    public void Write_BuiltInVocabularyPaddedToLlamaSize_EveryAddedTokenIsTextWhosePrefixesArePieces()
    {
        var path = _temp.File("padded.gguf");

        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = ModelShape.Tiny with { VocabSize = 32000 } });
        var file = GgufReader.Read(path);
        var tokens = file.GetArray("tokenizer.ggml.tokens")!.As<string>()!;
        var types = file.GetArray("tokenizer.ggml.token_type")!.As<int>()!;
        var builtIn = GgufReader.Read(TestModels.Tiny).GetArray("tokenizer.ggml.tokens")!.As<string>()!;

        Assert.Equal(32000, tokens.Count);
        Assert.Equal(builtIn, tokens.Take(builtIn.Count));
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
        var pieces = tokens.ToHashSet(StringComparer.Ordinal);
        Assert.All(Enumerable.Range(builtIn.Count, tokens.Count - builtIn.Count), i =>
        {
            Assert.Equal(1, types[i]);   // normal text, never unused: a random model sampling it writes text
            Assert.All(Enumerable.Range(1, tokens[i].Length - 1), length => Assert.Contains(tokens[i][..length], pieces));
        });
    }

    [Fact]
    public void Write_NoChatTemplate_WritesNone()
    {
        var path = _temp.File("no-template.gguf");

        ModelSynthesizer.Write(path, new SynthesisOptions { ChatTemplate = null });
        var info = ModelInfoReader.Read(path);

        Assert.Null(info.ChatTemplate);
        Assert.Equal(ChatTemplateFamily.Unknown, info.ChatTemplateFamily);
    }

    private static string[] TokenizerKeys(GgufFile file) =>
        [.. file.MetadataEntries.Select(e => e.Key).Where(k => k.StartsWith("tokenizer.",
            StringComparison.Ordinal) && k != "tokenizer.chat_template").Order(StringComparer.Ordinal)];

    [Theory]
    [InlineData(GgmlType.F16)]
    [InlineData(GgmlType.F32)]
    public void Write_OtherQuant_NormsStayF32AndFileTypeFollows(GgmlType quant)
    {
        var path = _temp.File("q.gguf");

        ModelSynthesizer.Write(path, new SynthesisOptions { Quant = ModelQuantization.FromName(quant.ToString())! });
        var file = GgufReader.Read(path);
        var info = ModelInfoReader.FromFile(file);

        Assert.Equal(quant.ToString(), info.FileType);
        Assert.All(file.Tensors.Where(t => t.Name.Contains("norm", StringComparison.Ordinal)), t => Assert.Equal(GgmlType.F32, t.Type));
        Assert.All(file.Tensors.Where(t => !t.Name.Contains("norm", StringComparison.Ordinal)), t => Assert.Equal(quant, t.Type));
    }

    [Fact]
    public void Write_SameSeed_WritesIdenticalFiles()
    {
        var a = _temp.File("a.gguf");
        var b = _temp.File("b.gguf");

        ModelSynthesizer.WriteTiny(a);
        ModelSynthesizer.WriteTiny(b);

        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void Write_TinyLlamaShape_HasTheRealModelsTensorTable()
    {
        // Only the header is checked here: the tensor table and metadata of TinyLlama-1.1B without writing 1.17 GB.
        var shape = ModelShape.TinyLlama11B;

        Assert.Equal((2048, 22, 5632, 32, 4, 2048, 32000),
            (shape.EmbeddingLength, shape.BlockCount, shape.FeedForwardLength, shape.HeadCount, shape.HeadCountKv, shape.ContextLength, shape.VocabSize));
        Assert.Equal(64, shape.HeadDimension);
        Assert.Same(shape, ModelShape.FromName("TinyLlama-1.1B"));
        Assert.Same(ModelShape.Tiny, ModelShape.FromName("tiny"));
        Assert.Null(ModelShape.FromName("huge"));
    }
}
