using System.Text;

namespace Frugal.Bench;

/// <summary>Deterministic filler text for prompts and chat turns, sized in tokens by the engine's own tokenizer.</summary>
internal static class BenchText
{
    private static readonly string[] Words =
    [
        "the", "river", "runs", "past", "a", "quiet", "village", "where", "people", "grow", "apples", "and",
        "talk", "about", "weather", "music", "history", "small", "machines", "that", "answer", "questions",
        "slowly", "but", "well", "every", "morning", "bakers", "open", "doors", "while", "children", "walk",
        "to", "school", "under", "tall", "trees", "near", "old", "bridge", "with", "stone", "arches", "please",
        "explain", "why", "how", "what", "when", "does", "this", "work", "in", "practice", "today",
    ];

    /// <summary>Text of about <paramref name="tokens"/> tokens (at least that many) as <paramref name="count"/> measures it.</summary>
    public static string OfTokens(int tokens, int seed, Func<string, int> count)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        text.Append("Note ").Append(seed).Append(':');
        // Add words in steps, then check: tokenizing on every word would be quadratic.
        while (count(text.ToString()) < tokens)
        {
            for (var i = 0; i < 4; i++)
            {
                text.Append(' ').Append(Words[random.Next(Words.Length)]);
            }
        }

        return text.ToString();
    }
}
