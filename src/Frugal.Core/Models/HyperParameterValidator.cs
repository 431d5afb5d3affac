namespace Frugal.Models;

/// <summary>
/// Checks the hyper-parameters llama.cpp asserts on (<c>GGML_ASSERT</c> ends the process instead of failing
/// the load) or divides by, and the shapes that must agree with them, so a crafted file is refused with a
/// sentence and the server stays up.
/// </summary>
internal static class HyperParameterValidator
{
    /// <summary>llama.cpp's LLAMA_MAX_LAYERS.</summary>
    public const int MaxLayers = 512;

    /// <summary>The smallest LLAMA_MAX_EXPERTS of the llama.cpp versions LLamaSharp ships.</summary>
    public const int MaxExperts = 256;

    /// <summary>Far beyond any real attention head (the largest are 256 for keys, 512 with compressed KV).</summary>
    public const int MaxHeadLength = 4096;

    public static void Validate(GgufFile file, string arch, int embedding, int heads, int blocks)
    {
        var path = file.Path;
        if (blocks > MaxLayers)
        {
            throw new ModelFileException(path, $"'{arch}.block_count' is {blocks}; llama.cpp handles at most {MaxLayers} layers");
        }

        var experts = Number(file, $"{arch}.expert_count") ?? 0;
        var used = Number(file, $"{arch}.expert_used_count") ?? 0;
        if (experts > MaxExperts || used > experts || (experts > 0) != (used > 0))
        {
            throw new ModelFileException(path,
                $"{experts} experts with {used} used per token is not a valid mixture (at most {MaxExperts} experts, 1 to all of them used, or none)");
        }

        foreach (var key in new[] { $"{arch}.attention.head_count", $"{arch}.attention.head_count_kv", $"{arch}.feed_forward_length" })
        {
            // Hybrid models put 0 on layers without attention; a short array would leave later layers unset.
            if (file.Metadata.TryGetValue(key, out var value) && value.AsArray() is { } perLayer && perLayer.Count != blocks)
            {
                throw new ModelFileException(path, $"metadata '{key}' per layer must hold {blocks} counts, one per layer, not {perLayer.Count}");
            }
        }

        var keyLength = HeadLength(file, $"{arch}.attention.key_length");
        var valueLength = HeadLength(file, $"{arch}.attention.value_length");
        if ((keyLength is null || valueLength is null) && embedding % heads != 0)
        {
            throw new ModelFileException(path, $"an embedding of {embedding} cannot be split into {heads} attention heads");
        }

        CheckEmbeddingTable(file, embedding);
        var rope = Number(file, $"{arch}.rope.dimension_count");
        if (rope is { } dims && (dims <= 0 || dims > (keyLength ?? (embedding / heads))))
        {
            throw new ModelFileException(path, $"'{arch}.rope.dimension_count' {dims} must be 1 to the head's key length {keyLength ?? (embedding / heads)}");
        }
    }

    // token_embd.weight is {embedding, vocabulary}: its rows are the token ids llama.cpp looks up.
    private static void CheckEmbeddingTable(GgufFile file, int embedding)
    {
        var table = file.Tensors.FirstOrDefault(t => t.Name == "token_embd.weight");
        if (table is null)
        {
            return;
        }

        if (table.Dimensions.Count != 2 || table.Dimensions[0] != embedding)
        {
            throw new ModelFileException(file.Path,
                $"tensor 'token_embd.weight' has shape [{string.Join(", ", table.Dimensions)}], not [{embedding}, vocabulary]");
        }

        if (file.GetArray("tokenizer.ggml.tokens") is { ElementType: GgufValueType.String } tokens && tokens.Count != table.Dimensions[1])
        {
            throw new ModelFileException(file.Path,
                $"the vocabulary has {tokens.Count} tokens but 'token_embd.weight' has {table.Dimensions[1]} rows");
        }
    }

    private static int? HeadLength(GgufFile file, string key)
    {
        var length = Number(file, key);
        return length is null or (> 0 and <= MaxHeadLength)
            ? (int?)length
            : throw new ModelFileException(file.Path, $"metadata '{key}' is {length}; a head length is 1 to {MaxHeadLength}");
    }

    private static long? Number(GgufFile file, string key) =>
        file.Metadata.TryGetValue(key, out var value) ? value.AsInt64() ?? throw new ModelFileException(file.Path, $"metadata '{key}' must be an integer, not {value}") : null;
}
