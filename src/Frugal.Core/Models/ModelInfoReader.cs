namespace Frugal.Models;

/// <summary>
/// Reads a GGUF file with <see cref="GgufReader"/> and checks that it describes a complete model
/// (architecture, shape, consistent heads, a usable vocabulary, and for the architectures Frugal runs the exact tensor
/// set with shapes and types llama.cpp can compute with) before anything native loads it.
/// </summary>
public static class ModelInfoReader
{
    /// <summary>Reads and validates the model at <paramref name="path"/>.</summary>
    /// <exception cref="ModelFileException">The file is missing, unreadable, malformed or not a complete model.</exception>
    public static ModelInfo Read(string path) => FromFile(GgufReader.Read(path));

    /// <summary>Describes an already validated GGUF file.</summary>
    /// <exception cref="ModelFileException">The file is not a complete model.</exception>
    public static ModelInfo FromFile(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var arch = file.GetString("general.architecture");
        if (string.IsNullOrEmpty(arch))
        {
            throw new ModelFileException(file.Path, "missing metadata 'general.architecture': not a model file");
        }

        if (file.Tensors.Count == 0)
        {
            throw new ModelFileException(file.Path, "the file has no tensors (a vocabulary-only file?): not a complete model");
        }

        var embedding = RequiredScalar(file, $"{arch}.embedding_length");
        var heads = Required(file, $"{arch}.attention.head_count");
        var kvHeads = Optional(file, $"{arch}.attention.head_count_kv") ?? heads;
        if (kvHeads <= 0 || heads % kvHeads != 0)
        {
            throw new ModelFileException(file.Path, $"{heads} attention heads cannot be shared by {kvHeads} key/value heads");
        }

        var blocks = RequiredScalar(file, $"{arch}.block_count");
        HyperParameterValidator.Validate(file, arch, embedding, heads, blocks);
        TokenizerMetadataValidator.Validate(file);
        var vocab = file.GetArray("tokenizer.ggml.tokens")!.Count;
        TensorSetValidator.Validate(file, arch, embedding, blocks, vocab);
        var info = new ModelInfo
        {
            Path = file.Path,
            FileSizeBytes = file.FileSizeBytes,
            Architecture = arch,
            Name = file.GetString("general.name"),
            ParameterCount = file.Tensors.Sum(t => t.ElementCount),
            FileType = FileType(file),
            TensorTypeHistogram = file.Tensors
                .GroupBy(t => t.Type.ToString())
                .OrderByDescending(g => g.Count())
                .ThenBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            TensorDataBytes = file.TensorDataBytes,
            ContextLength = RequiredScalar(file, $"{arch}.context_length"),
            EmbeddingLength = embedding,
            BlockCount = blocks,
            HeadCount = heads,
            HeadCountKv = kvHeads,
            FeedForwardLength = Optional(file, $"{arch}.feed_forward_length") ?? 0,
            VocabSize = vocab,
            TokenizerModel = file.GetString("tokenizer.ggml.model"),
            BosTokenId = TokenId(file, "tokenizer.ggml.bos_token_id", vocab),
            EosTokenId = TokenId(file, "tokenizer.ggml.eos_token_id", vocab),
            ChatTemplate = file.GetString("tokenizer.chat_template"),
            ChatTemplateFamily = ChatTemplateRecognizer.Recognize(file.GetString("tokenizer.chat_template")),
        };
        return info;
    }

    /// <summary>A count llama.cpp reads as one number: an array there fails its load.</summary>
    private static int RequiredScalar(GgufFile file, string key) => file.Metadata.TryGetValue(key, out var value) && value.AsArray() is not null
        ? throw new ModelFileException(file.Path, $"metadata '{key}' must be one integer, not an array")
        : Required(file, key);

    private static int Required(GgufFile file, string key) =>
        Optional(file, key) ?? throw new ModelFileException(file.Path, $"missing metadata '{key}': not a complete model");

    /// <summary>A positive int; per-layer arrays (some architectures) count as their largest entry.</summary>
    private static int? Optional(GgufFile file, string key)
    {
        if (!file.Metadata.TryGetValue(key, out var value))
        {
            return null;
        }

        var number = value.AsArray() is { } array ? LargestInteger(array) : value.AsInt64();
        return number is > 0 and <= int.MaxValue
            ? (int)number.Value
            : throw new ModelFileException(file.Path, $"metadata '{key}' must be a positive integer, not {value}");
    }

    private static long? LargestInteger(GgufArray array) => array.Items switch
    {
        byte[] a => a.DefaultIfEmpty().Max(),
        sbyte[] a => a.DefaultIfEmpty().Max(),
        ushort[] a => a.DefaultIfEmpty().Max(),
        short[] a => a.DefaultIfEmpty().Max(),
        uint[] a => a.DefaultIfEmpty().Max(),
        int[] a => a.DefaultIfEmpty().Max(),
        long[] a => a.DefaultIfEmpty().Max(),
        ulong[] a when a.All(v => v <= long.MaxValue) => (long)a.DefaultIfEmpty().Max(),
        _ => null,
    };

    private static int? TokenId(GgufFile file, string key, int vocab)
    {
        if (!file.Metadata.TryGetValue(key, out var value))
        {
            return null;
        }

        var id = value.AsInt64();
        return id is >= 0 && id < vocab
            ? (int)id.Value
            : throw new ModelFileException(file.Path, $"metadata '{key}' = {value} is not a token id of the {vocab}-token vocabulary");
    }

    private static string FileType(GgufFile file)
    {
        if (file.Metadata.TryGetValue("general.file_type", out var value))
        {
            return value.AsInt64() is { } number ? LlamaFileTypes.Name(number) ?? "unknown" : "unknown";
        }

        // Older files lack the key; llama.cpp then guesses from the most common tensor type, and so do we.
        return file.Tensors
            .Where(t => t.Type != GgmlType.F32 || file.Tensors.All(u => u.Type == GgmlType.F32))
            .GroupBy(t => t.Type)
            .OrderByDescending(g => g.Count())
            .Select(g => g.Key.ToString())
            .FirstOrDefault() ?? "unknown";
    }
}
