using Frugal.Inference;
using Frugal.Server.Contracts;

namespace Frugal.Server.Endpoints;

/// <summary>Log probabilities in OpenAI's two shapes: chat's <c>content[]</c> entries and legacy completions' parallel lists.</summary>
internal static class LogprobsWire
{
    /// <summary>Chat's shape; null when the request asked for none.</summary>
    public static ChatCompletionLogprobs? Chat(IReadOnlyList<TokenLogprob>? entries) =>
        entries is null ? null : new([.. entries.Select(e => new ChatTokenLogprob(e.Token, e.Logprob, Bytes(e), [.. e.Top.Select(t => new ChatTopLogprob(t.Token, t.Logprob, Bytes(t)))]))]);

    /// <summary>
    /// The legacy shape of <paramref name="entries"/>, the first starting at character <paramref name="offset"/> of the
    /// text (a stream carries it on from event to event); null when the request asked for none.
    /// </summary>
    public static TextCompletionLogprobs? Legacy(IReadOnlyList<TokenLogprob>? entries, ref int offset)
    {
        if (entries is null)
        {
            return null;
        }

        var offsets = new int[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            offsets[i] = offset;
            offset += entries[i].Token.Length;
        }

        return new TextCompletionLogprobs([.. entries.Select(e => e.Token)], [.. entries.Select(e => e.Logprob)], [.. entries.Select(Alternatives)], offsets);
    }

    // The most likely tokens and the chosen one (OpenAI: up to logprobs + 1 entries); one entry per text.
    private static IReadOnlyDictionary<string, double> Alternatives(TokenLogprob entry)
    {
        var alternatives = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var top in entry.Top)
        {
            alternatives.TryAdd(top.Token, top.Logprob);
        }

        alternatives.TryAdd(entry.Token, entry.Logprob);
        return alternatives;
    }

    private static int[] Bytes(TokenLogprob entry) => [.. entry.Bytes.Select(b => (int)b)];
}
