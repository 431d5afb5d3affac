namespace Frugal.Models;

/// <summary>
/// Writes llama-architecture GGUF models with random weights of an exact shape: the same tensors,
/// names, types and metadata as a real model, so running one costs what running the real one does.
/// </summary>
public static class ModelSynthesizer
{
    /// <summary>Writes the <see cref="ModelShape.Tiny"/> shape, Q8_0, built-in vocabulary, Zephyr template: the test model.</summary>
    public static void WriteTiny(string path) => Write(path, new SynthesisOptions());

    /// <summary>Writes the tiny test model with the tokenizer of <paramref name="vocabularyFrom"/> (e.g. ggml-vocab-llama-spm.gguf).</summary>
    public static void WriteTiny(string path, string vocabularyFrom) =>
        Write(path, new SynthesisOptions { VocabularyFrom = vocabularyFrom });

    /// <summary>Writes a model as <paramref name="options"/> describe.</summary>
    /// <exception cref="ModelFileException">The vocabulary file is missing, malformed or has no vocabulary.</exception>
    public static void Write(string path, SynthesisOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        var shape = options.Shape;
        var quant = options.Quant;
        if (shape.EmbeddingLength % shape.HeadCount != 0 || shape.HeadCount % shape.HeadCountKv != 0)
        {
            throw new ArgumentException("The embedding must split evenly into heads, and heads into key/value groups.", nameof(options));
        }

        var writer = new GgufWriter();
        writer.Set("general.architecture", GgufValue.FromString("llama"))
            .Set("general.name", GgufValue.FromString($"frugal-synth-{shape.Name}"))
            .Set("llama.context_length", GgufValue.FromUInt32((uint)shape.ContextLength))
            .Set("llama.embedding_length", GgufValue.FromUInt32((uint)shape.EmbeddingLength))
            .Set("llama.block_count", GgufValue.FromUInt32((uint)shape.BlockCount))
            .Set("llama.feed_forward_length", GgufValue.FromUInt32((uint)shape.FeedForwardLength))
            .Set("llama.rope.dimension_count", GgufValue.FromUInt32((uint)shape.HeadDimension))
            .Set("llama.attention.head_count", GgufValue.FromUInt32((uint)shape.HeadCount))
            .Set("llama.attention.head_count_kv", GgufValue.FromUInt32((uint)shape.HeadCountKv))
            .Set("llama.attention.layer_norm_rms_epsilon", GgufValue.FromFloat32(shape.RmsEpsilon))
            .Set("llama.rope.freq_base", GgufValue.FromFloat32(shape.RopeFreqBase))
            .Set("general.file_type", GgufValue.FromUInt32(quant.FileType));

        var vocab = AddTokenizer(writer, options);
        if (options.ChatTemplate is { } template)
        {
            writer.Set("tokenizer.chat_template", GgufValue.FromString(template));
        }

        writer.Set("general.quantization_version", GgufValue.FromUInt32(2));

        AddTensors(writer, shape, quant, vocab, options.Seed);
        writer.WriteTo(path);
    }

    private static int AddTokenizer(GgufWriter writer, SynthesisOptions options)
    {
        if (options.VocabularyFrom is { } source)
        {
            var file = GgufReader.Read(source);
            var tokens = file.GetArray("tokenizer.ggml.tokens");
            if (tokens is null || tokens.ElementType != GgufValueType.String || tokens.Count == 0)
            {
                throw new ModelFileException(source, "has no tokenizer.ggml.tokens vocabulary to copy");
            }

            foreach (var (key, value) in file.MetadataEntries)
            {
                if (key.StartsWith("tokenizer.", StringComparison.Ordinal) && key != "tokenizer.chat_template")
                {
                    writer.Set(key, value);
                }
            }

            return tokens.Count;
        }

        var (pieces, scores, types) = BuiltInVocabulary.Build(options.Shape.VocabSize);
        writer.Set("tokenizer.ggml.model", GgufValue.FromString("llama"))
            .Set("tokenizer.ggml.tokens", GgufValue.FromArray(new GgufArray(GgufValueType.String, pieces)))
            .Set("tokenizer.ggml.scores", GgufValue.FromArray(new GgufArray(GgufValueType.Float32, scores)))
            .Set("tokenizer.ggml.token_type", GgufValue.FromArray(new GgufArray(GgufValueType.Int32, types)))
            .Set("tokenizer.ggml.bos_token_id", GgufValue.FromUInt32(1))
            .Set("tokenizer.ggml.eos_token_id", GgufValue.FromUInt32(2))
            .Set("tokenizer.ggml.unknown_token_id", GgufValue.FromUInt32(0))
            .Set("tokenizer.ggml.padding_token_id", GgufValue.FromUInt32(2))
            .Set("tokenizer.ggml.add_bos_token", GgufValue.FromBool(true))
            .Set("tokenizer.ggml.add_eos_token", GgufValue.FromBool(false));
        return pieces.Length;
    }

    /// <summary>Tensors in the order llama.cpp's converter writes them, dimensions innermost first.</summary>
    private static void AddTensors(GgufWriter writer, ModelShape shape, ModelQuantization quant, int vocab, ulong seed)
    {
        long embd = shape.EmbeddingLength, ff = shape.FeedForwardLength;
        long kv = (long)shape.HeadDimension * shape.HeadCountKv;
        var layers = shape.BlockCount;
        var index = 0UL;
        void Matrix(string name, long inputs, long outputs, WeightRole role = WeightRole.Other, int layer = 0)
        {
            var type = quant.TypeOf(role, layer, layers, inputs);
            writer.AddTensor(name, type, [inputs, outputs], RandomWeights.Create(type, 1 / Math.Sqrt(inputs), seed * 1000003 + index++));
        }

        void Norm(string name) => writer.AddTensor(name, GgmlType.F32, [embd], RandomWeights.Ones());

        Matrix("token_embd.weight", embd, vocab, WeightRole.TokenEmbedding);
        for (var b = 0; b < layers; b++)
        {
            Matrix($"blk.{b}.attn_q.weight", embd, embd);
            Matrix($"blk.{b}.attn_k.weight", embd, kv);
            Matrix($"blk.{b}.attn_v.weight", embd, kv, WeightRole.AttentionValue, b);
            Matrix($"blk.{b}.attn_output.weight", embd, embd);
            Matrix($"blk.{b}.ffn_gate.weight", embd, ff);
            Matrix($"blk.{b}.ffn_up.weight", embd, ff);
            Matrix($"blk.{b}.ffn_down.weight", ff, embd, WeightRole.FeedForwardDown, b);
            Norm($"blk.{b}.attn_norm.weight");
            Norm($"blk.{b}.ffn_norm.weight");
        }

        Norm("output_norm.weight");
        Matrix("output.weight", embd, vocab, WeightRole.Output);
    }
}
