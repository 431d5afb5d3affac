namespace Frugal.Models;

/// <summary>
/// The tensors llama.cpp's loader asks a <c>llama</c> model for (LLamaSharp 0.30's commit): embedding, final norm, an
/// optional output matrix (else the embedding is reused), and per layer the attention norm, Q/K/V/output projections
/// with optional biases, the feed-forward norm and either a gated feed-forward or its mixture of experts; optional
/// RoPE factors. Shapes follow from the hyper-parameters; the llama graph also asserts (ending the process) that key,
/// value and rotated lengths of a head are one and the same.
/// </summary>
internal static class LlamaTensors
{
    public static IReadOnlyList<ExpectedTensor> Expected(GgufFile file, long embedding, int blocks, int vocabulary)
    {
        var path = file.Path;
        var heads = PerLayer(file, "llama.attention.head_count", blocks, 0);
        var kvHeads = PerLayer(file, "llama.attention.head_count_kv", blocks, -1).Select((n, i) => n == -1 ? heads[i] : n).ToArray();
        for (var i = 0; i < blocks; i++)
        {
            if (heads[i] <= 0 || kvHeads[i] <= 0 || heads[i] % kvHeads[i] != 0)
            {
                throw new ModelFileException(path, $"layer {i} has {heads[i]} attention heads and {kvHeads[i]} key/value heads; a llama layer needs both, the first a multiple of the second");
            }
        }

        var feedForward = PerLayer(file, "llama.feed_forward_length", blocks, -1);
        if (feedForward.Contains(-1))
        {
            throw new ModelFileException(path, "missing metadata 'llama.feed_forward_length': not a complete model");
        }

        var keyLength = file.GetInt64("llama.attention.key_length") ?? embedding / heads[0];
        var valueLength = file.GetInt64("llama.attention.value_length") ?? embedding / heads[0];
        var rotated = file.GetInt64("llama.rope.dimension_count") ?? keyLength;
        if (keyLength != valueLength || rotated != keyLength)
        {
            throw new ModelFileException(path,
                $"a llama model's heads need key length = value length = 'llama.rope.dimension_count', not {keyLength}, {valueLength} and {rotated} (llama.cpp asserts it and aborts the process)");
        }

        var experts = file.GetInt64("llama.expert_count") ?? 0;
        var tensors = new List<ExpectedTensor>
        {
            Matrix("token_embd.weight", embedding, vocabulary),
            Vector("output_norm.weight", embedding),
            Matrix("output.weight", embedding, vocabulary) with { Required = false },
            new("rope_freqs.weight", [rotated / 2], TensorRole.RopeFactors, Required: false),
            new("rope_factors_long.weight", [rotated / 2], TensorRole.RopeFactors, Required: false),
            new("rope_factors_short.weight", [rotated / 2], TensorRole.RopeFactors, Required: false),
        };
        for (var i = 0; i < blocks; i++)
        {
            var b = $"blk.{i}.";
            long queries = keyLength * heads[i], keys = keyLength * kvHeads[i], ff = feedForward[i];
            tensors.AddRange(
            [
                Vector(b + "attn_norm.weight", embedding),
                Matrix(b + "attn_q.weight", embedding, queries),
                Matrix(b + "attn_k.weight", embedding, keys),
                Matrix(b + "attn_v.weight", embedding, keys),
                Matrix(b + "attn_output.weight", queries, embedding),
                Vector(b + "attn_q.bias", queries) with { Required = false },
                Vector(b + "attn_k.bias", keys) with { Required = false },
                Vector(b + "attn_v.bias", keys) with { Required = false },
                Vector(b + "attn_output.bias", embedding) with { Required = false },
                Vector(b + "ffn_norm.weight", embedding),
            ]);
            tensors.AddRange(experts == 0
                ? [
                    Matrix(b + "ffn_gate.weight", embedding, ff),
                    Matrix(b + "ffn_down.weight", ff, embedding),
                    Matrix(b + "ffn_up.weight", embedding, ff),
                    Vector(b + "ffn_gate.bias", ff) with { Required = false },
                    Vector(b + "ffn_down.bias", embedding) with { Required = false },
                    Vector(b + "ffn_up.bias", ff) with { Required = false },
                ]
                : [
                    Matrix(b + "ffn_gate_inp.weight", embedding, experts),
                    new(b + "ffn_gate_exps.weight", [embedding, ff, experts], TensorRole.Matrix, Required: false),
                    new(b + "ffn_down_exps.weight", [ff, embedding, experts], TensorRole.Matrix),
                    new(b + "ffn_up_exps.weight", [embedding, ff, experts], TensorRole.Matrix),
                ]);
        }

        return tensors;
    }

    private static ExpectedTensor Matrix(string name, long inputs, long outputs) => new(name, [inputs, outputs], TensorRole.Matrix);

    private static ExpectedTensor Vector(string name, long length) => new(name, [length], TensorRole.Vector);

    /// <summary>A count per layer: the array's entries, or the one number for every layer, or <paramref name="absent"/>.</summary>
    private static long[] PerLayer(GgufFile file, string key, int blocks, long absent)
    {
        if (!file.Metadata.TryGetValue(key, out var value))
        {
            return [.. Enumerable.Repeat(absent, blocks)];
        }

        if (value.AsArray() is { } array)
        {
            return [.. array.Items.Cast<object>().Select(item => GgufValue.ToInt64(item) ?? 0)];
        }

        return [.. Enumerable.Repeat(value.AsInt64() ?? 0, blocks)];
    }
}
