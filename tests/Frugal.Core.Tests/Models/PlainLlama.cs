using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;

namespace Frugal.Tests.Models;

/// <summary>
/// A model file run by llama.cpp through LLamaSharp alone, none of Frugal's engine in between: how the synthesizer's
/// tests see that llama.cpp loads what we write (memory-mapped, one thread, a small context).
/// </summary>
internal static class PlainLlama
{
    public static ModelParams Parameters(string path) =>
        new(path) { ContextSize = 256, GpuLayerCount = 0, LoadMode = LLamaLoadMode.MemoryMap, Threads = 1 };

    /// <summary>Loads <paramref name="path"/> and writes 16 greedy tokens after a chat-formatted request for a story.</summary>
    public static async Task<string> GenerateAsync(string path)
    {
        var parameters = Parameters(path);
        using var weights = await LLamaWeights.LoadFromFileAsync(parameters, TestContext.Current.CancellationToken);
        var executor = new StatelessExecutor(weights, parameters);
        var inference = new InferenceParams { MaxTokens = 16, SamplingPipeline = new DefaultSamplingPipeline { Temperature = 0 } };
        var pieces = new StringBuilder();
        await foreach (var piece in executor.InferAsync("<|user|>\nHello, tell me a story</s>\n<|assistant|>\n", inference, TestContext.Current.CancellationToken))
        {
            pieces.Append(piece);
        }

        return pieces.ToString();
    }
}
