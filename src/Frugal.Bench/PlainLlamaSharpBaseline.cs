using System.Diagnostics;
using Frugal.Inference.Batching;
using LLama;
using LLama.Common;
using LLama.Native;
using LLama.Sampling;

namespace Frugal.Bench;

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

    private readonly ModelParams _parameters;

    // What sequence 0 holds after a follow-up measurement (the kept tokens); empty after any other measurement.
    private readonly List<int> _kept = [];

    private PlainLlamaSharpBaseline(LLamaWeights weights, LLamaContext context, ModelParams parameters, TimeSpan loadTime)
    {
        _weights = weights;
        _context = context;
        _parameters = parameters;
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
        return new PlainLlamaSharpBaseline(weights, context, parameters, Stopwatch.GetElapsedTime(started));
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
        Clear();
        var started = Stopwatch.GetTimestamp();
        Evaluate(prompt);
        using var sampler = new GreedySamplingPipeline();
        sampler.Sample(_context.NativeHandle, _batch.TokenCount - 1);
        return prompt.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// A follow-up turn with the cache reused by hand: <paramref name="kept"/> is brought into the cache untimed
    /// (only what it adds to the previous follow-up's kept tokens, so a growing conversation is not re-read),
    /// then <paramref name="added"/> is evaluated after it and the first token sampled; returns the time of
    /// that in milliseconds. The added cells are removed again.
    /// </summary>
    public double MeasureFollowUp(IReadOnlyList<int> kept, IReadOnlyList<int> added)
    {
        ArgumentNullException.ThrowIfNull(kept);
        ArgumentNullException.ThrowIfNull(added);
        var common = TokenPrefix.Common(kept, _kept);
        _context.NativeHandle.MemorySequenceRemove(LLamaSeqId.Zero, common, -1);
        _kept.RemoveRange(common, _kept.Count - common);
        Evaluate([.. kept.Skip(common)], common);
        _kept.AddRange(kept.Skip(common));
        using var sampler = new GreedySamplingPipeline();
        var started = Stopwatch.GetTimestamp();
        Evaluate(added, kept.Count);
        sampler.Sample(_context.NativeHandle, _batch.TokenCount - 1);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _context.NativeHandle.MemorySequenceRemove(LLamaSeqId.Zero, kept.Count, -1);
        return ms;
    }

    /// <summary>
    /// Evaluates <paramref name="prompt"/>, then decodes <paramref name="tokens"/> tokens greedily,
    /// end-of-sequence ignored; returns decode tokens per second from the first token to the last, per wall second
    /// and, with one thread, per CPU second of that thread.
    /// </summary>
    public DecodeRate MeasureDecode(IReadOnlyList<int> prompt, int tokens)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 2);
        Clear();
        Evaluate(prompt);
        using var sampler = new GreedySamplingPipeline();
        var position = prompt.Count;
        var token = sampler.Sample(_context.NativeHandle, _batch.TokenCount - 1);
        var cpuStarted = ThreadCpuClock.Seconds();
        var started = Stopwatch.GetTimestamp();
        for (var i = 1; i < tokens; i++)
        {
            _batch.Clear();
            _batch.Add(token, position++, LLamaSeqId.Zero, true);
            Check(_context.Decode(_batch));
            token = sampler.Sample(_context.NativeHandle, _batch.TokenCount - 1);
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        // With one thread llama.cpp computes on this one, so its CPU time is the decode's; with more, the others' is unseen.
        var cpuSeconds = _parameters.Threads == 1 ? ThreadCpuClock.Seconds() - cpuStarted : double.NaN;
        return new DecodeRate((tokens - 1) / seconds, (tokens - 1) / cpuSeconds);
    }

    /// <summary>
    /// Continuous batching's question: decodes <paramref name="sequences"/> independent sequences together,
    /// one token each per <c>llama_decode</c> (one multi-sequence batch), for <paramref name="steps"/> steps
    /// after <paramref name="prompt"/>; returns the aggregate tokens per second of all sequences.
    /// </summary>
    public double MeasureBatchedDecode(IReadOnlyList<int> prompt, int sequences, int steps)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentOutOfRangeException.ThrowIfLessThan(prompt.Count, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequences, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        // Each sequence gets the engine's context size of its own (llama.cpp splits a non-unified cache evenly).
        var parameters = new ModelParams(_parameters.ModelPath)
        {
            ContextSize = _parameters.ContextSize * (uint)sequences,
            SeqMax = (uint)sequences,
            Threads = _parameters.Threads,
            BatchThreads = _parameters.BatchThreads,
            BatchSize = _parameters.BatchSize,
        };
        using var context = _weights.CreateContext(parameters);
        var batch = new LLamaBatch();
        var samplers = Enumerable.Range(0, sequences).Select(_ => new GreedySamplingPipeline()).ToArray();
        try
        {
            var tokens = Prefill(context, batch, samplers, prompt);
            var started = Stopwatch.GetTimestamp();
            for (var step = 0; step < steps; step++)
            {
                batch.Clear();
                for (var s = 0; s < sequences; s++)
                {
                    batch.Add(tokens[s], prompt.Count + step, (LLamaSeqId)s, true);
                }

                Check(context.Decode(batch));
                for (var s = 0; s < sequences; s++)
                {
                    tokens[s] = samplers[s].Sample(context.NativeHandle, s);
                }
            }

            return sequences * steps / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
        finally
        {
            foreach (var sampler in samplers)
            {
                sampler.Dispose();
            }
        }
    }

    // Each sequence's prompt, the prompt rotated by s after its first token (each is a different conversation), and
    // its first sampled token.
    private static LLamaToken[] Prefill(LLamaContext context, LLamaBatch batch, GreedySamplingPipeline[] samplers, IReadOnlyList<int> prompt)
    {
        var tokens = new LLamaToken[samplers.Length];
        for (var s = 0; s < samplers.Length; s++)
        {
            batch.Clear();
            for (var i = 0; i < prompt.Count; i++)
            {
                var token = i == 0 ? prompt[0] : prompt[1 + ((i - 1 + s) % (prompt.Count - 1))];
                batch.Add((LLamaToken)token, i, (LLamaSeqId)s, i == prompt.Count - 1);
            }

            Check(context.Decode(batch));
            tokens[s] = samplers[s].Sample(context.NativeHandle, batch.TokenCount - 1);
        }

        return tokens;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _context.Dispose();
        _weights.Dispose();
    }

    private void Clear()
    {
        _context.NativeHandle.MemoryClear();
        _kept.Clear();
    }

    private void Evaluate(IReadOnlyList<int> prompt, int position = 0)
    {
        var batchSize = (int)_context.BatchSize;
        for (var start = 0; start < prompt.Count; start += batchSize)
        {
            var end = Math.Min(start + batchSize, prompt.Count);
            _batch.Clear();
            for (var i = start; i < end; i++)
            {
                _batch.Add((LLamaToken)prompt[i], position + i, LLamaSeqId.Zero, i == prompt.Count - 1);
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
