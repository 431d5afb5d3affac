namespace Frugal.Models;

/// <summary>
/// Checks the tokenizer metadata the way llama.cpp relies on it without checking: it needs a vocabulary and a
/// tokenizer model it knows, reads scores and token types by token index (a short array would be read past its
/// end), aborts the process on duplicate tokens (compared as C strings, up to a NUL), and its SentencePiece
/// tokenizer throws through the C API (ending the process) on text it cannot spell in the vocabulary's bytes.
/// </summary>
internal static class TokenizerMetadataValidator
{
    /// <summary>llama.cpp's token types: undefined, normal, unknown, control, user-defined, unused, byte.</summary>
    private const int LastTokenType = 6;
    private const int ByteTokenType = 6;

    /// <summary>The tokenizer models llama.cpp (at LLamaSharp 0.30's commit) builds a vocabulary for.</summary>
    private static readonly string[] KnownModels = ["llama", "gpt2", "bert", "t5", "rwkv", "plamo2"];

    public static void Validate(GgufFile file)
    {
        var tokens = Tokens(file);
        var model = TokenizerModel(file);
        var seen = new HashSet<string>(tokens.Count, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Count; i++)
        {
            // llama.cpp reads a token as a C string: it would end at the NUL, and could then repeat another token.
            if (tokens[i].Contains('\0', StringComparison.Ordinal))
            {
                throw new ModelFileException(file.Path, $"metadata 'tokenizer.ggml.tokens' has a NUL character in the token at index {i}");
            }

            if (!seen.Add(tokens[i]))
            {
                throw new ModelFileException(file.Path, $"metadata 'tokenizer.ggml.tokens' repeats the token at index {i}");
            }
        }

        Parallel(file, "tokenizer.ggml.scores", GgufValueType.Float32, tokens.Count);
        Parallel(file, "tokenizer.ggml.token_type", GgufValueType.Int32, tokens.Count);
        CheckTokenTypes(file, tokens, model);
        CheckMerges(file, model);
        if (model == "llama")
        {
            CheckByteFallback(file, seen);
        }

        SpecialTokenIds.Validate(file, tokens.Count);
    }

    private static IReadOnlyList<string> Tokens(GgufFile file)
    {
        if (!file.Metadata.TryGetValue("tokenizer.ggml.tokens", out var value))
        {
            throw new ModelFileException(file.Path, "missing metadata 'tokenizer.ggml.tokens': the model has no vocabulary (llama.cpp cannot load it)");
        }

        return value.AsArray() switch
        {
            { ElementType: GgufValueType.String, Count: 0 } => throw new ModelFileException(file.Path, "metadata 'tokenizer.ggml.tokens' is empty: the model has no vocabulary"),
            { ElementType: GgufValueType.String } array => array.As<string>()!,
            _ => throw new ModelFileException(file.Path, "metadata 'tokenizer.ggml.tokens' must be an array of strings"),
        };
    }

    private static string TokenizerModel(GgufFile file)
    {
        if (!file.Metadata.TryGetValue("tokenizer.ggml.model", out var value))
        {
            throw new ModelFileException(file.Path, "missing metadata 'tokenizer.ggml.model': which tokenizer the vocabulary is for (llama.cpp cannot load it)");
        }

        var model = value.AsString();
        return model is not null && KnownModels.Contains(model, StringComparer.Ordinal)
            ? model
            : throw new ModelFileException(file.Path,
                $"metadata 'tokenizer.ggml.model' is {value}, not a tokenizer with a vocabulary llama.cpp knows ({string.Join(", ", KnownModels)})");
    }

    private static void CheckTokenTypes(GgufFile file, IReadOnlyList<string> tokens, string model)
    {
        if (file.GetArray("tokenizer.ggml.token_type")?.As<int>() is not { } types)
        {
            return;
        }

        for (var i = 0; i < types.Count; i++)
        {
            if (types[i] is < 0 or > LastTokenType)
            {
                throw new ModelFileException(file.Path, $"metadata 'tokenizer.ggml.token_type' gives the token at index {i} type {types[i]}; llama.cpp's types are 0 to {LastTokenType}");
            }

            // SentencePiece byte tokens are read back as the two hex digits of "<0xHH>" (a shorter text throws in llama.cpp).
            if (types[i] == ByteTokenType && model is "llama" or "t5" && !IsByteToken(tokens[i]))
            {
                throw new ModelFileException(file.Path, $"the token at index {i} is typed as a byte but is not written <0xHH>");
            }
        }
    }

    private static void CheckMerges(GgufFile file, string model)
    {
        if (file.Metadata.TryGetValue("tokenizer.ggml.merges", out var merges))
        {
            if (merges.AsArray() is not { ElementType: GgufValueType.String })
            {
                throw new ModelFileException(file.Path, "metadata 'tokenizer.ggml.merges' must be an array of strings");
            }
        }
        else if (model == "gpt2")
        {
            throw new ModelFileException(file.Path, "missing metadata 'tokenizer.ggml.merges': a BPE (gpt2) tokenizer needs its merges");
        }
    }

    /// <summary>
    /// llama.cpp's SentencePiece tokenizer spells a piece it has no token for byte by byte, as "&lt;0xHH&gt;" or the byte
    /// itself, and throws (through the C API: the process ends) when neither is in the vocabulary.
    /// </summary>
    private static void CheckByteFallback(GgufFile file, HashSet<string> tokens)
    {
        for (var b = 0; b < 256; b++)
        {
            if (!tokens.Contains($"<0x{b:X2}>") && !(b is > 0 and < 0x80 && tokens.Contains(((char)b).ToString())))
            {
                throw new ModelFileException(file.Path,
                    $"the SentencePiece vocabulary has no token for the byte 0x{b:X2} (<0x{b:X2}>); llama.cpp would end the process on text it cannot spell");
            }
        }
    }

    private static bool IsByteToken(string token) =>
        token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>' && char.IsAsciiHexDigit(token[3]) && char.IsAsciiHexDigit(token[4]);

    private static void Parallel(GgufFile file, string key, GgufValueType type, int count)
    {
        if (file.Metadata.TryGetValue(key, out var value)
            && (value.AsArray() is not { } array || array.ElementType != type || array.Count != count))
        {
            throw new ModelFileException(file.Path, $"metadata '{key}' must be an array of {count} {type} values, one per token");
        }
    }
}
