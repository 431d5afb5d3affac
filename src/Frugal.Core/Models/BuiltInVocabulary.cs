namespace Frugal.Models;

/// <summary>
/// A small SentencePiece-style vocabulary for synthesized models: &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256
/// byte-fallback tokens (so every string tokenizes), then single characters and common English pieces;
/// padded to a model's vocabulary size with letter pieces (so a model of any vocabulary size, sampling any
/// id, writes text).
/// </summary>
internal static class BuiltInVocabulary
{
    // llama.cpp token types.
    private const int Normal = 1;
    private const int UnknownType = 2;
    private const int Control = 3;
    private const int ByteType = 6;

    private const string Space = "\u2581";

    private static readonly string[] Words =
    [
        "the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for", "on", "are", "as", "with",
        "his", "they", "at", "be", "this", "have", "from", "or", "one", "had", "by", "word", "but", "not", "what",
        "all", "were", "we", "when", "your", "can", "said", "there", "use", "an", "each", "which", "she", "do",
        "how", "their", "if", "will", "up", "other", "about", "out", "many", "then", "them", "these", "so", "some",
        "her", "would", "make", "like", "him", "into", "time", "has", "look", "two", "more", "write", "go", "see",
        "number", "no", "way", "could", "people", "my", "than", "first", "water", "been", "call", "who", "its",
        "now", "find", "long", "down", "day", "did", "get", "come", "made", "may", "part", "hello", "hi", "world",
        "yes", "please", "thank", "thanks", "help", "question", "answer", "tell", "me", "story", "model", "chat",
        "user", "assistant", "system", "good", "new", "know", "think", "work", "here", "where", "why", "because",
        "very", "just", "also", "well", "only", "over", "any", "after", "year", "name", "great", "small", "big",
        "code", "data", "file", "text", "server", "memory", "token", "fast", "slow", "friend", "love", "sun", "sky",
        "I", "The", "A", "It", "You", "What", "How", "This", "We", "Hello", "Yes", "No", "In", "My", "Please",
    ];

    private static readonly string[] Fragments =
    [
        "ing", "ed", "er", "es", "ly", "tion", "al", "re", "st", "th", "ch", "sh", "ou", "an", "en", "on", "in",
        "<|", "|>", "</", "/>", "...", "!!", "??", "''", "\"\"", "()", "{}", "[]", "==", "->", "=>", "::", "//",
    ];

    /// <summary>Tokens, scores and types; padded with unused tokens up to <paramref name="size"/> when given.</summary>
    public static (string[] Tokens, float[] Scores, int[] Types) Build(int? size)
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { UnknownType, Control, Control };
        for (var b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(ByteType);
        }

        var firstPiece = tokens.Count;
        var seen = new HashSet<string>(tokens, StringComparer.Ordinal);
        void Piece(string piece)
        {
            if (seen.Add(piece))
            {
                tokens.Add(piece);
                types.Add(Normal);
            }
        }

        Piece(Space);
        for (var c = '!'; c <= '~'; c++)
        {
            Piece(c.ToString());
            Piece(Space + c);
        }

        // Every prefix of a piece is also a piece, so SentencePiece's pairwise merges can always reach the whole.
        foreach (var text in Fragments.Concat(Words).Concat(Words.Select(w => Space + w)))
        {
            for (var length = 2; length <= text.Length; length++)
            {
                Piece(text[..length]);
            }
        }

        var target = size ?? tokens.Count;
        if (target < tokens.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The built-in vocabulary needs at least {tokens.Count} tokens.");
        }

        foreach (var piece in LetterPieces())
        {
            if (tokens.Count >= target)
            {
                break;
            }

            Piece(piece);
        }

        // Scores decide SentencePiece merges: longer pieces first, so words come out whole.
        var scores = tokens.Select((t, i) => i < firstPiece || types[i] != Normal ? 0f : -1000f + t.Length * 10f - i * 0.001f).ToArray();
        return ([.. tokens], scores, [.. types]);
    }

    /// <summary>
    /// Lower-case letter strings, shortest first, each alone and after the word-start mark: every prefix
    /// of a piece comes before it (as merges need), and 26 + 26² + 26³ of them fill any Llama-sized vocabulary.
    /// </summary>
    private static IEnumerable<string> LetterPieces()
    {
        var previous = new List<string> { "" };
        for (var length = 1; length <= 4; length++)
        {
            var current = new List<string>(previous.Count * 26);
            foreach (var stem in previous)
            {
                for (var c = 'a'; c <= 'z'; c++)
                {
                    var piece = stem + c;
                    current.Add(piece);
                    yield return piece;
                    yield return Space + piece;
                }
            }

            previous = current;
        }
    }
}
