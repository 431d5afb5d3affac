using System.Runtime.InteropServices;
using Frugal.Models;

namespace Frugal.Testing;

/// <summary>
/// A copy of a model whose output layer cannot pick a token that ends a reply: every row of <c>output.weight</c> is zero
/// (so the end-of-sequence token and every other token score exactly 0) except two rows per embedding dimension k,
/// +e_k and -e_k, on plain lower-case word pieces. Whatever the hidden state h, one of each pair scores |h_k|, so unless
/// h is exactly zero some word piece scores above 0 and greedy sampling (the repeat penalty only divides a positive
/// score) never reaches the end of the sequence; and words alone never spell a turn marker. A reply therefore runs to
/// its token limit on any machine, whatever order its CPU threads sum the floats in.
/// </summary>
public static class UnendingModel
{
    private const string OutputTensor = "output.weight";
    private const int NormalToken = 1;

    /// <summary>Writes <paramref name="source"/> (a llama model with an <c>output.weight</c>) to <paramref name="destination"/> with the output layer above.</summary>
    public static void Write(string source, string destination)
    {
        var file = GgufReader.Read(source);
        var output = file.Tensors.Single(t => t.Name == OutputTensor);
        var (embedding, vocabulary) = ((int)output.Dimensions[0], (int)output.Dimensions[1]);
        var words = WordPieces(file).Take(2 * embedding).ToArray();
        if (words.Length < 2 * embedding)
        {
            throw new InvalidOperationException($"{source} has {words.Length} plain word pieces; {2 * embedding} are needed.");
        }

        // Row t (token t's weights) starts at t * embedding: the first dimension is the innermost.
        var weights = new float[checked(embedding * vocabulary)];
        for (var k = 0; k < embedding; k++)
        {
            weights[(words[2 * k] * embedding) + k] = 1f;
            weights[(words[(2 * k) + 1] * embedding) + k] = -1f;
        }

        var writer = new GgufWriter(file.Alignment, file.Version);
        foreach (var (key, value) in file.MetadataEntries)
        {
            writer.Set(key, value);
        }

        var bytes = File.ReadAllBytes(source);
        foreach (var t in file.Tensors)
        {
            if (t.Name == OutputTensor)
            {
                writer.AddTensor(t.Name, GgmlType.F32, t.Dimensions, MemoryMarshal.AsBytes(weights.AsSpan()).ToArray());
            }
            else
            {
                writer.AddTensor(t.Name, t.Type, t.Dimensions, bytes.AsMemory(checked((int)(file.DataOffset + t.Offset)), checked((int)t.ByteSize)));
            }
        }

        writer.WriteTo(destination);
    }

    // Ids of normal tokens made of lower-case letters only, with or without SentencePiece's leading space.
    private static IEnumerable<int> WordPieces(GgufFile file)
    {
        var pieces = file.GetArray("tokenizer.ggml.tokens")?.As<string>() ?? throw new InvalidOperationException($"{file.Path} has no vocabulary.");
        var types = file.GetArray("tokenizer.ggml.token_type")?.As<int>();
        for (var id = 0; id < pieces.Count; id++)
        {
            var word = pieces[id].TrimStart('\u2581');
            if ((types is null || types[id] == NormalToken) && word.Length > 0 && word.All(char.IsAsciiLetterLower))
            {
                yield return id;
            }
        }
    }
}
