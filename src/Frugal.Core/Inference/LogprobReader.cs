using System.Text;
using LLama.Native;

namespace Frugal.Inference;

/// <summary>
/// Reads a sampled token's log probability from the candidates the sampler chain left (their logits after the repeat
/// penalty, the grammar, the top-k/top-p/min-p cuts and the temperature: the distribution the token was drawn from;
/// under greedy decoding, the penalised logits at temperature 1, whose most likely token greedy takes).
/// </summary>
internal sealed class LogprobReader
{
    private readonly byte[][] _pieces;
    private readonly (float Logit, LLamaToken Id)[] _best;

    /// <param name="model">The model whose token bytes are read.</param>
    /// <param name="top">How many of the most likely tokens to list with each (0 to 20).</param>
    public LogprobReader(SafeLlamaModelHandle model, int top)
    {
        _pieces = TokenPieces.Of(model);
        _best = new (float, LLamaToken)[top];
    }

    /// <summary>The log probability of <paramref name="chosen"/> among <paramref name="candidates"/> (a cut one has none: −∞), with the top ones.</summary>
    public TokenLogprob Read(ReadOnlySpan<LLamaTokenData> candidates, LLamaToken chosen)
    {
        var max = float.NegativeInfinity;
        var chosenLogit = float.NegativeInfinity;
        foreach (var candidate in candidates)
        {
            max = Math.Max(max, float.IsNaN(candidate.Logit) ? max : candidate.Logit);
            chosenLogit = candidate.ID == chosen ? candidate.Logit : chosenLogit;
        }

        var sum = 0d;
        var found = 0;
        foreach (var candidate in candidates)
        {
            if (float.IsFinite(candidate.Logit))
            {
                sum += Math.Exp(candidate.Logit - max);
                found = Keep(candidate, found);
            }
        }

        var logSum = max + Math.Log(sum);
        var top = new TokenLogprob[found];
        for (var i = 0; i < found; i++)
        {
            top[i] = Entry(_best[i].Id, _best[i].Logit, logSum);
        }

        return Entry(chosen, chosenLogit, logSum) with { Top = top };
    }

    // Keeps the most likely candidates in _best, most likely first (an earlier one wins a tie, as greedy's pick does).
    private int Keep(LLamaTokenData candidate, int found)
    {
        if (found == _best.Length && (found == 0 || candidate.Logit <= _best[found - 1].Logit))
        {
            return found;
        }

        var at = Math.Min(found, _best.Length - 1);
        while (at > 0 && _best[at - 1].Logit < candidate.Logit)
        {
            _best[at] = _best[at - 1];
            at--;
        }

        _best[at] = (candidate.Logit, candidate.ID);
        return Math.Min(found + 1, _best.Length);
    }

    private TokenLogprob Entry(LLamaToken token, float logit, double logSum)
    {
        var bytes = (uint)(int)token < (uint)_pieces.Length ? _pieces[(int)token] : [];
        return new TokenLogprob(Encoding.UTF8.GetString(bytes), bytes, Math.Min(0, logit - logSum));
    }
}
