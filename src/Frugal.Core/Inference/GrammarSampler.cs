using LLama.Native;

namespace Frugal.Inference;

/// <summary>
/// llama.cpp's sampler chain with a GBNF grammar stage: the chain picks a token as without a grammar, and only
/// when the grammar refuses that token is the grammar applied to the whole vocabulary before the chain picks
/// again (llama.cpp's own order; checking one token costs next to nothing, masking the vocabulary does not).
/// A <see cref="Utf8Guard"/> keeps the reply valid UTF-8 beside the grammar.
/// </summary>
internal sealed class GrammarSampler : IDisposable
{
    private readonly SafeLLamaSamplerChainHandle _chain;
    private readonly SafeLLamaSamplerChainHandle _grammar;
    private readonly LLamaTokenData[] _candidates;
    private readonly LLamaTokenData[] _single = new LLamaTokenData[1];
    private readonly Utf8Guard _utf8;
    private readonly LogprobReader? _logprobs;

    public GrammarSampler(SafeLlamaModelHandle model, SafeLLamaSamplerChainHandle chain, GbnfGrammar grammar, LogprobReader? logprobs = null)
    {
        _chain = chain;
        _logprobs = logprobs;
        _grammar = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
        _grammar.AddGrammar(model.Vocab, grammar.Text, grammar.Root);
        _candidates = new LLamaTokenData[model.Vocab.Count];
        _utf8 = new Utf8Guard(model);
    }

    /// <summary>The last token's log probability in the candidates it was drawn from (when a reader was given).</summary>
    public TokenLogprob? LastLogprob { get; private set; }

    /// <summary>Samples and accepts the next token from logits row <paramref name="index"/>.</summary>
    public LLamaToken Sample(SafeLLamaContextHandle context, int index)
    {
        var token = Pick(context, index, grammarFirst: false);
        if (!Allows(token))
        {
            token = Pick(context, index, grammarFirst: true);

            // llama.cpp aborts the process when its grammar accepts a token it refused: fail the request instead.
            if (!Allows(token))
            {
                throw new InvalidOperationException("The grammar allows no token of this model's vocabulary here.");
            }
        }

        _chain.Accept(token);
        _grammar.Accept(token);
        _utf8.Accept(token);
        return token;
    }

    public void Dispose() => _grammar.Dispose();

    private LLamaToken Pick(SafeLLamaContextHandle context, int index, bool grammarFirst)
    {
        var array = LLamaTokenDataArray.Create(context.GetLogitsIth(index), _candidates);
        using var pin = LLamaTokenDataArrayNative.Create(array, out var native);
        if (grammarFirst)
        {
            _grammar.Apply(ref native);
            _utf8.Mask(native.Data);
        }

        _chain.Apply(ref native);
        var token = native.Data[checked((int)native.Selected)].ID;
        LastLogprob = _logprobs?.Read(native.Data, token);
        return token;
    }

    private bool Allows(LLamaToken token)
    {
        if (!_utf8.Allows(token))
        {
            return false;
        }

        _single[0] = new LLamaTokenData(token, 1f, 0f);
        using var pin = LLamaTokenDataArrayNative.Create(new LLamaTokenDataArray(_single, isSorted: true), out var native);
        _grammar.Apply(ref native);
        return !float.IsNegativeInfinity(native.Data[0].Logit);
    }
}
