using System.Text;
using Frugal.Models;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;

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
        var parameters = new ModelParams(path) { ContextSize = 256, GpuLayerCount = 0, LoadMode = LLamaLoadMode.MemoryMap, Threads = 1 };

        string text;
        using (var weights = await LLamaWeights.LoadFromFileAsync(parameters, TestContext.Current.CancellationToken))
        {
            var executor = new StatelessExecutor(weights, parameters);
            var inference = new InferenceParams { MaxTokens = 16, SamplingPipeline = new DefaultSamplingPipeline { Temperature = 0 } };
            var pieces = new StringBuilder();
            await foreach (var piece in executor.InferAsync("<|user|>\nHello, tell me a story</s>\n<|assistant|>\n", inference, TestContext.Current.CancellationToken))
            {
                pieces.Append(piece);
            }

            text = pieces.ToString();
        }

        Assert.True(text.Distinct().Count() > 3, $"Generated text is too uniform: '{text}'");
    }

    [Fact]
    public void WriteTiny_BuiltInVocabulary_TokenizesAnyTextWithoutUnknownTokens()
    {
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        var parameters = new ModelParams(path) { ContextSize = 256, GpuLayerCount = 0, LoadMode = LLamaLoadMode.MemoryMap, Threads = 1 };
        using var weights = LLamaWeights.LoadFromFile(parameters);
        const string text = "Hello the world! ünïcødé 日本語 🙂 </s> <|user|>";

        var tokens = weights.Tokenize(text, add_bos: false, special: false, Encoding.UTF8);
        var decoder = new StreamingTokenDecoder(Encoding.UTF8, weights);
        decoder.AddRange(tokens);

        Assert.DoesNotContain(tokens, t => (int)t == 0);
        Assert.Contains(" the", decoder.Read(), StringComparison.Ordinal);
    }
}
