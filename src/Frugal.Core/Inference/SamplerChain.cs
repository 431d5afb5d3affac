using LLama.Native;

namespace Frugal.Inference;

/// <summary>Builds llama.cpp's sampler chain for <see cref="SamplingOptions"/>.</summary>
internal static class SamplerChain
{
    /// <summary>How many recent tokens the repeat penalty looks at (llama.cpp's default).</summary>
    public const int PenaltyWindow = 64;

    public static SafeLLamaSamplerChainHandle Create(SamplingOptions options)
    {
        var chain = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
        if (options.RepeatPenalty is > 0f and not 1f)
        {
            chain.AddPenalties(PenaltyWindow, options.RepeatPenalty, 0f, 0f);
        }

        if (options.Temperature <= 0f)
        {
            // Greedy: the most likely token, every time; no randomness anywhere.
            chain.AddGreedySampler();
            return chain;
        }

        if (options.TopK > 0)
        {
            chain.AddTopK(options.TopK);
        }

        if (options.TopP is > 0f and < 1f)
        {
            chain.AddTopP(options.TopP, 1);
        }

        if (options.MinP is > 0f and < 1f)
        {
            chain.AddMinP(options.MinP, 1);
        }

        chain.AddTemperature(options.Temperature);
        chain.AddDistributionSampler(options.Seed ?? (uint)Random.Shared.Next());
        return chain;
    }
}
