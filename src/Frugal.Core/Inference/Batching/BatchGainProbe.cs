using System.Diagnostics;
using System.Text;
using LLama.Native;

namespace Frugal.Inference.Batching;

/// <summary>
/// Times decode steps carrying a token of each of 1, 2, … N sequences, on a small throw-away context of the
/// loaded model (about two seconds on the TinyLlama shape, one core).
/// </summary>
internal static class BatchGainProbe
{
    private const int PromptTokens = 4;
    private const int Rounds = 3; // after one warm-up step of each kind; the fastest round counts (the box may be busy starting the server)

    public static ParallelMeasurement Measure(SafeLlamaModelHandle weights, EngineOptions options, int candidate, int threads)
    {
        // Each sequence's stream holds its prompt and at most one token per sequence count per round.
        var cellsPerSequence = PromptTokens + ((Rounds + 1) * candidate) + 8;
        var parameters = LlamaRuntime.ContextParameters(candidate * cellsPerSequence, candidate * PromptTokens, candidate * PromptTokens,
            candidate, threads, options.FlashAttention);
        using var context = weights.CreateContext(parameters);
        var tokens = weights.Tokenize("The quick brown fox jumps", false, false, Encoding.UTF8);
        var token = tokens.Length > 0 ? tokens[0] : (LLamaToken)0;
        var batch = new LLamaBatch();
        for (var s = 0; s < candidate; s++)
        {
            for (var i = 0; i < PromptTokens; i++)
            {
                batch.Add(tokens.Length > i ? tokens[i] : token, i, (LLamaSeqId)s, false);
            }
        }

        Decode(context, batch);
        var positions = Enumerable.Repeat(PromptTokens, candidate).ToArray();
        var fastest = Enumerable.Repeat(TimeSpan.MaxValue, candidate).ToArray();
        for (var round = 0; round <= Rounds; round++)
        {
            for (var n = 1; n <= candidate; n++)
            {
                var cost = Step(context, batch, token, positions, n);
                if (round > 0 && cost < fastest[n - 1])
                {
                    fastest[n - 1] = cost;
                }
            }
        }

        return new ParallelMeasurement { StepCosts = fastest, FloorTokensPerSecond = options.StreamFloorTokensPerSecond };
    }

    private static TimeSpan Step(SafeLLamaContextHandle context, LLamaBatch batch, LLamaToken token, int[] positions, int sequences)
    {
        batch.Clear();
        for (var s = 0; s < sequences; s++)
        {
            batch.Add(token, positions[s]++, (LLamaSeqId)s, true);
        }

        var started = Stopwatch.GetTimestamp();
        Decode(context, batch);
        return Stopwatch.GetElapsedTime(started);
    }

    private static void Decode(SafeLLamaContextHandle context, LLamaBatch batch)
    {
        var result = context.Decode(batch);
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama.cpp failed to decode while measuring batched decoding ({result})");
        }
    }
}
