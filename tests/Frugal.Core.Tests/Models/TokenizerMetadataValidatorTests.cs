using Frugal.Models;

namespace Frugal.Tests.Models;

/// <summary>Tokenizer arrays llama.cpp would read out of bounds, or abort on, are rejected before loading.</summary>
public sealed class TokenizerMetadataValidatorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, GgufValue, string> Broken() => new()
    {
        { "tokenizer.ggml.scores", GgufValue.FromArray(new GgufArray(GgufValueType.Float32, new float[3])), "tokenizer.ggml.scores" },
        { "tokenizer.ggml.scores", GgufValue.FromArray(new GgufArray(GgufValueType.UInt8, new byte[1189])), "tokenizer.ggml.scores" },
        { "tokenizer.ggml.token_type", GgufValue.FromArray(new GgufArray(GgufValueType.Int32, new int[10])), "tokenizer.ggml.token_type" },
        { "tokenizer.ggml.token_type", GgufValue.FromString("NORMAL"), "tokenizer.ggml.token_type" },
        { "tokenizer.ggml.tokens", GgufValue.FromArray(new GgufArray(GgufValueType.Int32, new int[10])), "tokenizer.ggml.tokens" },
        { "tokenizer.ggml.merges", GgufValue.FromArray(new GgufArray(GgufValueType.Int32, new int[2])), "tokenizer.ggml.merges" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Read_BrokenTokenizerArray_ThrowsModelFileException(string key, GgufValue value, string problem)
    {
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        var broken = _temp.File("broken.gguf");
        ModelRewriter.Rewrite(path, broken, key, value);

        var e = Assert.Throws<ModelFileException>(() => ModelInfoReader.Read(broken));

        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DuplicateToken_ThrowsModelFileException()
    {
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        // As many tokens as the embedding has rows (a shorter list is refused earlier, for another reason).
        var tokens = GgufReader.Read(path).GetArray("tokenizer.ggml.tokens")!.As<string>()!.ToArray();
        tokens[2] = tokens[0];
        var broken = _temp.File("broken.gguf");
        ModelRewriter.Rewrite(path, broken, "tokenizer.ggml.tokens", GgufValue.FromArray(new GgufArray(GgufValueType.String, tokens)));

        var e = Assert.Throws<ModelFileException>(() => ModelInfoReader.Read(broken));

        Assert.Contains("repeats the token at index 2", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TokenWithANulCharacter_ThrowsModelFileException()
    {
        // Found by bench/fuzz: llama.cpp reads each token as a C string, so "\u2581\0i" is "\u2581" there, a duplicate
        // of that token, and its vocabulary check ends the process (GGML_ASSERT) although every token differs here.
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        var tokens = GgufReader.Read(path).GetArray("tokenizer.ggml.tokens")!.As<string>()!.ToArray();
        var index = Array.IndexOf(tokens, "\u2581");
        Assert.True(index >= 0);
        tokens[index + 1] = "\u2581\0i";
        var broken = _temp.File("broken.gguf");
        ModelRewriter.Rewrite(path, broken, "tokenizer.ggml.tokens", GgufValue.FromArray(new GgufArray(GgufValueType.String, tokens)));

        var e = Assert.Throws<ModelFileException>(() => ModelInfoReader.Read(broken));

        Assert.Contains($"NUL character in the token at index {index + 1}", e.Problem, StringComparison.Ordinal);
    }
}
