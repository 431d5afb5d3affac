using System.Diagnostics;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;

namespace Frugal.Inference.Benchmarking;

/// <summary>
/// The benchmark's yardstick: the same prompt and decode work done through plain LLamaSharp, the way
/// its documentation shows (<c>LLamaWeights.LoadFromFile</c>, a context, a batch, a greedy sampling
/// pipeline), with its best load settings (memory-mapped, CPU only), and no Frugal code in between.
/// </summary>
public sealed class PlainLlamaSharpBaseline : IDisposable
{
    private readonly LLamaWeights _weights;
    private readonly LLamaContext _context;
    private readonly LLamaBatch _batch = new();

    private PlainLlamaSharpBaseline(LLamaWeights weights, LLamaContext context, TimeSpan loadTime)
    {
        _weights = weights;
        _context = context;
        LoadTime = loadTime;
    }

    /// <summary>How long loading the weights and creating the context took.</summary>
    public TimeSpan LoadTime { get; }

    /// <summary>Loads <paramref name="modelPath"/> with a context of <paramref name="contextSize"/> tokens.</summary>
    public static PlainLlamaSharpBaseline Load(string modelPath, int contextSize, int threads)
    {
        var started = Stopwatch.GetTimestamp();
        var parameters = new ModelParams(modelPath)
        {
            ContextSize = (uint)contextSize,
            GpuLayerCount = 0,
            LoadMode = LLamaLoadMode.MemoryMap,
            Threads = threads,
            BatchThreads = threads,
            BatchSize = 512,
        };
        var weights = LLamaWeights.LoadFromFile(parameters);
        var context = weights.CreateContext(parameters);
        return new PlainLlamaSharpBaseline(weights, context, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Tokens of <paramref name="text"/> (with BOS, as LLamaSharp's executors tokenize a prompt).</summary>
    public int[] Tokenize(string text) => [.. _context.Tokenize(text, addBos: true, special: false).Select(t => (int)t)];

    /// <summary>
    /// Evaluates <paramref name="prompt"/> from an empty cache and samples the first token; returns the
    /// prompt tokens per second, counted up to that first token as a user would feel it.
    /// </summary>
    public double MeasurePrompt(IReadOnlyList<int> prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        _context.NativeHandle.MemoryClear();
        var started = Stopwatch.GetTimestamp();
        Evaluate(prompt);
        using var sampler = new GreedySamplingPipeline();
        sampler.Sample(_context.NativeHandle, _batch.TokenCount - 1);
        return prompt.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// Evaluates <paramref name="prompt"/>, then decodes <paramref name="tokens"/> tokens greedily,
    /// end-of-sequence ignored; returns decode tokens per second from the first token to the last.
    /// </summary>
    public double MeasureDecode(IReadOnlyList<int> prompt, int tokens)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 2);
        _context.NativeHandle.MemoryClear();
        Evaluate(prompt);
        using var sampler = new GreedySamplingPipeline();
        var position = prompt.Count;
        var token = sampler.Sample(_context.NativeHandle, _batch.TokenCount - 1);
        var started = Stopwatch.GetTimestamp();
        for (var i = 1; i < tokens; i++)
        {
            _batch.Clear();
            _batch.Add(token, position++, LLamaSeqId.Zero, true);
            Check(_context.Decode(_batch));
            token = sampler.Sample(_context.NativeHandle, _batch.TokenCount - 1);
        }

        return (tokens - 1) / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }

    private void Evaluate(IReadOnlyList<int> prompt)
    {
        var batchSize = (int)_context.BatchSize;
        for (var start = 0; start < prompt.Count; start += batchSize)
        {
            var end = Math.Min(start + batchSize, prompt.Count);
            _batch.Clear();
            for (var i = start; i < end; i++)
            {
                _batch.Add((LLamaToken)prompt[i], i, LLamaSeqId.Zero, i == prompt.Count - 1);
            }

            Check(_context.Decode(_batch));
        }
    }

    private static void Check(DecodeResult result)
    {
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama.cpp failed to decode ({result})");
        }
    }
}
