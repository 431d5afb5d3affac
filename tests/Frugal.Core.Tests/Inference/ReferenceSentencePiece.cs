using System.Text;
using Frugal.Models;

namespace Frugal.Tests.Inference;

/// <summary>
/// SentencePiece tokenization written down independently of llama.cpp, from the vocabulary file alone, to
/// check the engine's tokenizer against: a space before the text and every space spelled "▁", the text
/// split into UTF-8 characters, the adjacent pair whose joined text is a token of the highest score merged
/// first (the leftmost on a tie) until no pair is a token, and every character left that is no token
/// spelled as its UTF-8 bytes (&lt;0xXX&gt;).
/// </summary>
internal sealed class ReferenceSentencePiece
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<float> _scores;

    public ReferenceSentencePiece(string vocabularyPath)
    {
        var file = GgufReader.Read(vocabularyPath);
        var tokens = file.GetArray("tokenizer.ggml.tokens")!.As<string>()!;
        _scores = file.GetArray("tokenizer.ggml.scores")!.As<float>()!;
        for (var i = 0; i < tokens.Count; i++)
        {
            _ids[tokens[i]] = i;
        }

        Pieces = tokens;
    }

    /// <summary>Every token's text, by id.</summary>
    public IReadOnlyList<string> Pieces { get; }

    /// <summary>The id of a token's text.</summary>
    public int Id(string piece) => _ids[piece];

    /// <summary>The ids of <paramref name="text"/> as it would appear inside a message (no BOS).</summary>
    public int[] Tokenize(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        var symbols = Characters(Encoding.UTF8.GetBytes((" " + text).Replace(' ', '\u2581')));
        while (BestPair(symbols) is { } at)
        {
            symbols[at] = [.. symbols[at], .. symbols[at + 1]];
            symbols.RemoveAt(at + 1);
        }

        var ids = new List<int>();
        foreach (var symbol in symbols)
        {
            if (_ids.TryGetValue(Encoding.UTF8.GetString(symbol), out var id))
            {
                ids.Add(id);
            }
            else
            {
                ids.AddRange(symbol.Select(b => _ids[$"<0x{b:X2}>"]));
            }
        }

        return [.. ids];
    }

    /// <summary>The text a token sequence spells, "▁" read as a space and byte tokens as their bytes.</summary>
    public string Detokenize(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        foreach (var piece in ids.Select(id => Pieces[id]))
        {
            if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece.EndsWith('>'))
            {
                bytes.Add(Convert.ToByte(piece[3..5], 16));
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(piece.Replace('\u2581', ' ')));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>The left index of the pair to merge next, or null when no adjacent pair is a token.</summary>
    private int? BestPair(List<byte[]> symbols)
    {
        int? best = null;
        var bestScore = float.NegativeInfinity;
        for (var i = 0; i + 1 < symbols.Count; i++)
        {
            if (_ids.TryGetValue(Encoding.UTF8.GetString([.. symbols[i], .. symbols[i + 1]]), out var id) && (best is null || _scores[id] > bestScore))
            {
                best = i;
                bestScore = _scores[id];
            }
        }

        return best;
    }

    /// <summary>The UTF-8 characters of <paramref name="bytes"/>, each as its bytes (the length read from the lead byte).</summary>
    private static List<byte[]> Characters(byte[] bytes)
    {
        var characters = new List<byte[]>();
        for (var at = 0; at < bytes.Length;)
        {
            var length = (bytes[at] >> 4) switch { 0xC or 0xD => 2, 0xE => 3, 0xF => 4, _ => 1 };
            length = Math.Min(length, bytes.Length - at);
            characters.Add(bytes[at..(at + length)]);
            at += length;
        }

        return characters;
    }
}
