using System.Runtime.CompilerServices;
using LLama.Native;

namespace Frugal.Inference;

/// <summary>Each token's bytes as the reply's decoder reads them, read once per model (special tokens read as nothing).</summary>
internal static class TokenPieces
{
    private static readonly ConditionalWeakTable<SafeLlamaModelHandle, byte[][]> Pieces = new();

    /// <summary>The bytes of every token of <paramref name="model"/>, by id.</summary>
    public static byte[][] Of(SafeLlamaModelHandle model) => Pieces.GetValue(model, Read);

    private static byte[][] Read(SafeLlamaModelHandle model)
    {
        var count = model.Vocab.Count;
        var pieces = new byte[count][];
        Span<byte> buffer = stackalloc byte[256];
        for (var i = 0; i < count; i++)
        {
            var length = (int)model.TokenToSpan((LLamaToken)i, buffer);
            pieces[i] = length <= buffer.Length ? buffer[..length].ToArray() : [];
        }

        return pieces;
    }
}
