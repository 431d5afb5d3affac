using LLama.Native;

namespace Frugal.Inference;

/// <summary>
/// Keeps a constrained reply valid UTF-8. llama.cpp's grammar reads token bytes leniently (a byte-fallback token
/// may start a character that the next token never completes), so a grammar alone lets a model write bytes that
/// decode to U+FFFD and break a <c>maxLength</c>. This refuses any token whose bytes would not continue valid
/// UTF-8 (overlong forms and surrogates included), and the end of the reply inside a character.
/// </summary>
internal sealed class Utf8Guard
{
    private readonly byte[][] _pieces;
    private State _state;

    public Utf8Guard(SafeLlamaModelHandle model) => _pieces = TokenPieces.Of(model);

    /// <summary>True when <paramref name="token"/> keeps the reply valid UTF-8.</summary>
    public bool Allows(LLamaToken token) => Advance(_state, Piece(token)) is { } next && (Piece(token).Length > 0 || next.Expected == 0);

    /// <summary>Takes a chosen token's bytes into the state.</summary>
    public void Accept(LLamaToken token) => _state = Advance(_state, Piece(token)) ?? default;

    /// <summary>Makes every candidate that <see cref="Allows"/> refuses impossible.</summary>
    public void Mask(Span<LLamaTokenData> candidates)
    {
        foreach (ref var candidate in candidates)
        {
            if (!float.IsNegativeInfinity(candidate.Logit) && !Allows(candidate.ID))
            {
                candidate.Logit = float.NegativeInfinity;
            }
        }
    }

    private byte[] Piece(LLamaToken token) => (uint)(int)token < (uint)_pieces.Length ? _pieces[(int)token] : [];

    // The state after piece, or null when piece breaks UTF-8.
    private static State? Advance(State state, ReadOnlySpan<byte> piece)
    {
        foreach (var b in piece)
        {
            if (state.Expected > 0)
            {
                if (b < state.Low || b > state.High)
                {
                    return null;
                }

                state = new State(state.Expected - 1, 0x80, 0xBF);
                continue;
            }

            state = b switch
            {
                < 0x80 => default,
                >= 0xC2 and <= 0xDF => new State(1, 0x80, 0xBF),
                0xE0 => new State(2, 0xA0, 0xBF),
                0xED => new State(2, 0x80, 0x9F),
                >= 0xE1 and <= 0xEF => new State(2, 0x80, 0xBF),
                0xF0 => new State(3, 0x90, 0xBF),
                >= 0xF1 and <= 0xF3 => new State(3, 0x80, 0xBF),
                0xF4 => new State(3, 0x80, 0x8F),
                _ => new State(-1, 0, 0),
            };
            if (state.Expected < 0)
            {
                return null;
            }
        }

        return state;
    }

    // Continuation bytes still expected, and the range the next one must lie in.
    private readonly record struct State(int Expected, byte Low, byte High);
}
