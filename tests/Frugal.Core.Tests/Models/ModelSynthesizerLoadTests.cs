using System.Text;
using Frugal.Models;
using LLama;

namespace Frugal.Tests.Models;

/// <summary>The synthesized models load and run in the real llama.cpp (through LLamaSharp), memory-mapped.</summary>
public sealed class ModelSynthesizerLoadTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task WriteTiny_LoadedByLlamaCpp_GeneratesVariedTokens()
    {
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);

        var text = await PlainLlama.GenerateAsync(path);

        Assert.True(text.Distinct().Count() > 3, $"Generated text is too uniform: '{text}'");
    }

    [Fact]
    public void WriteTiny_BuiltInVocabulary_TokenizesAnyTextWithoutUnknownTokens()
    {
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        using var weights = LLamaWeights.LoadFromFile(PlainLlama.Parameters(path));
        const string text = "Hello the world! ünïcødé 日本語 🙂 </s> <|user|>";

        var tokens = weights.Tokenize(text, add_bos: false, special: false, Encoding.UTF8);
        var decoder = new StreamingTokenDecoder(Encoding.UTF8, weights);
        decoder.AddRange(tokens);

        Assert.DoesNotContain(tokens, t => (int)t == 0);
        Assert.Contains(" the", decoder.Read(), StringComparison.Ordinal);
    }
}
