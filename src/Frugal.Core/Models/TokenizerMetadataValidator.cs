namespace Frugal.Models;

/// <summary>
/// Checks the tokenizer arrays the way llama.cpp relies on them without checking: it reads scores and token
/// types by token index (a short array would be read past its end) and aborts the process on duplicate tokens
/// (compared as C strings, up to a NUL).
/// </summary>
internal static class TokenizerMetadataValidator
{
    public static void Validate(GgufFile file)
    {
        if (!file.Metadata.TryGetValue("tokenizer.ggml.tokens", out var value))
        {
            return;
        }

        var tokens = value.AsArray() is { ElementType: GgufValueType.String } array
            ? array.As<string>()!
            : throw new ModelFileException(file.Path, "metadata 'tokenizer.ggml.tokens' must be an array of strings");

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
        if (file.Metadata.TryGetValue("tokenizer.ggml.merges", out var merges) && merges.AsArray() is not { ElementType: GgufValueType.String })
        {
            throw new ModelFileException(file.Path, "metadata 'tokenizer.ggml.merges' must be an array of strings");
        }
    }

    private static void Parallel(GgufFile file, string key, GgufValueType type, int count)
    {
        if (file.Metadata.TryGetValue(key, out var value)
            && (value.AsArray() is not { } array || array.ElementType != type || array.Count != count))
        {
            throw new ModelFileException(file.Path, $"metadata '{key}' must be an array of {count} {type} values, one per token");
        }
    }
}
