using Frugal.Models;

namespace Frugal.Tests.Models.Corpus;

/// <summary>
/// Files whose every field reads well but which do not make a model llama.cpp can run: a vocabulary it cannot use,
/// or a tensor set that is not a llama model of the file's hyper-parameters (missing, extra, misshapen or mistyped
/// tensors). The base's shape: embedding 64, 4 heads of 16, 2 key/value heads, feed-forward 192, 2 layers.
/// </summary>
internal static partial class MalformedModelFiles
{
    private static IEnumerable<MalformedModelFile> Vocabulary() =>
    [
        Case("no vocabulary at all", "missing metadata 'tokenizer.ggml.tokens'", () => B.Rewrite(("tokenizer.ggml.tokens", CorpusBase.Removed),
            ("tokenizer.ggml.scores", CorpusBase.Removed), ("tokenizer.ggml.token_type", CorpusBase.Removed))),
        Case("tokenizer model missing", "missing metadata 'tokenizer.ggml.model'", () => B.Rewrite(("tokenizer.ggml.model", CorpusBase.Removed))),
        Case("tokenizer model 'sentencepiece'", "not a tokenizer with a vocabulary llama.cpp knows", () => B.Rewrite(("tokenizer.ggml.model", GgufValue.FromString("sentencepiece")))),
        Case("tokenizer model 'none' with tokens", "not a tokenizer with a vocabulary llama.cpp knows", () => B.Rewrite(("tokenizer.ggml.model", GgufValue.FromString("none")))),
        Case("tokenizer model as a number", "not a tokenizer with a vocabulary llama.cpp knows", () => B.Rewrite(("tokenizer.ggml.model", U32(1)))),
        Case("BPE tokenizer without merges", "needs its merges", () => B.Rewrite(("tokenizer.ggml.model", GgufValue.FromString("gpt2")))),
        Case("token type 7", "types are 0 to 6", () => B.Rewrite(("tokenizer.ggml.token_type", TokenTypes(i => i == 300 ? 7 : null)))),
        Case("token type -1", "types are 0 to 6", () => B.Rewrite(("tokenizer.ggml.token_type", TokenTypes(i => i == 0 ? -1 : null)))),
        Case("byte token written 'A1'", "typed as a byte but is not written <0xHH>", () => B.Rewrite(("tokenizer.ggml.tokens", Tokens(i => Token(i) == "<0x41>" ? "A1" : null)))),
        Case("normal token typed as a byte", "typed as a byte but is not written <0xHH>", () => B.Rewrite(("tokenizer.ggml.token_type", TokenTypes(i => i == 300 ? 6 : null)))),
        Case("no token for the byte 0x0A", "no token for the byte 0x0A", () => WithoutByte(0x0A)),
        Case("no token for the byte 0xFF", "no token for the byte 0xFF", () => WithoutByte(0xFF)),
        Case("unknown token id past the vocabulary", "'tokenizer.ggml.unknown_token_id'", () => B.Rewrite(("tokenizer.ggml.unknown_token_id", U32((uint)VocabSize)))),
        Case("padding token id 2^32-1", "'tokenizer.ggml.padding_token_id'", () => B.Rewrite(("tokenizer.ggml.padding_token_id", U32(uint.MaxValue)))),
        Case("end-of-turn token id as a string", "'tokenizer.ggml.eot_token_id'", () => B.Rewrite(("tokenizer.ggml.eot_token_id", GgufValue.FromString("2")))),
        Case("fill-in-the-middle prefix id negative", "'tokenizer.ggml.fim_pre_token_id'", () => B.Rewrite(("tokenizer.ggml.fim_pre_token_id", GgufValue.FromInt64(-5)))),
    ];

    private static IEnumerable<MalformedModelFile> TensorSet() =>
    [
        Case("final norm missing", "missing tensor 'output_norm.weight'", () => B.RewriteTensors(Without("output_norm.weight"))),
        Case("embedding missing", "missing tensor 'token_embd.weight'", () => B.RewriteTensors(Without("token_embd.weight"))),
        Case("layer 1 query weight missing", "missing tensor 'blk.1.attn_q.weight'", () => B.RewriteTensors(Without("blk.1.attn_q.weight"))),
        Case("layer 1 feed-forward down missing", "missing tensor 'blk.1.ffn_down.weight'", () => B.RewriteTensors(Without("blk.1.ffn_down.weight"))),
        Case("layer 0 attention norm missing", "missing tensor 'blk.0.attn_norm.weight'", () => B.RewriteTensors(Without("blk.0.attn_norm.weight"))),
        Case("a third layer's norm in a 2-layer model", "'blk.2.attn_norm.weight' is not part of a llama model", () => B.RewriteTensors(With(CorpusTensor.Zeros("blk.2.attn_norm.weight", GgmlType.F32, 64)))),
        Case("an unknown tensor", "'classifier.weight' is not part of a llama model", () => B.RewriteTensors(With(CorpusTensor.Zeros("classifier.weight", GgmlType.Q8_0, 64, 2)))),
        Case("expert router on a dense model", "'blk.0.ffn_gate_inp.weight' is not part of", () => B.RewriteTensors(With(CorpusTensor.Zeros("blk.0.ffn_gate_inp.weight", GgmlType.F32, 64, 4)))),
        Case("key weight as wide as the query", "'blk.0.attn_k.weight' has shape [64, 64]", () => B.RewriteTensors(Reshaped(K, GgmlType.Q8_0, 64, 64))),
        Case("value weight transposed", "'blk.1.attn_v.weight' has shape [32, 64]", () => B.RewriteTensors(Reshaped("blk.1.attn_v.weight", GgmlType.Q8_0, 32, 64))),
        Case("attention output of 2 rows short", "needs [64, 64]", () => B.RewriteTensors(Reshaped("blk.0.attn_output.weight", GgmlType.Q8_0, 64, 62))),
        Case("feed-forward gate 128 wide", "'blk.1.ffn_gate.weight' has shape [64, 128]", () => B.RewriteTensors(Reshaped("blk.1.ffn_gate.weight", GgmlType.Q8_0, 64, 128))),
        Case("output one token short", "'output.weight' has shape", () => B.RewriteTensors(Reshaped("output.weight", GgmlType.Q8_0, 64, VocabSize - 1))),
        Case("attention norm of 32", "'blk.0.attn_norm.weight' has shape [32]", () => B.RewriteTensors(Reshaped("blk.0.attn_norm.weight", GgmlType.F32, 32))),
        Case("final norm of two rows", "'output_norm.weight' has shape [64, 2]", () => B.RewriteTensors(Reshaped("output_norm.weight", GgmlType.F32, 64, 2))),
        Case("query bias of the wrong length", "'blk.0.attn_q.bias' has shape [32]", () => B.RewriteTensors(With(CorpusTensor.Zeros("blk.0.attn_q.bias", GgmlType.F32, 32)))),
        Case("RoPE factors of 16", "'rope_freqs.weight' has shape [16]", () => B.RewriteTensors(With(CorpusTensor.Zeros("rope_freqs.weight", GgmlType.F32, 16)))),
        Case("final norm in Q8_0", "'output_norm.weight' is Q8_0: a norm or bias must be F32 or F16", () => B.RewriteTensors(Reshaped("output_norm.weight", GgmlType.Q8_0, 64))),
        Case("feed-forward norm in BF16", "'blk.1.ffn_norm.weight' is BF16", () => B.RewriteTensors(Reshaped("blk.1.ffn_norm.weight", GgmlType.BF16, 64))),
        Case("query weight in I32", "'blk.0.attn_q.weight' is I32: llama.cpp has no matrix product", () => B.RewriteTensors(Reshaped(Q, GgmlType.I32, 64, 64))),
        Case("feed-forward up in Q8_1", "'blk.0.ffn_up.weight' is Q8_1", () => B.RewriteTensors(Reshaped("blk.0.ffn_up.weight", GgmlType.Q8_1, 64, 192))),
        Case("embedding in F64", "'token_embd.weight' is F64", () => B.RewriteTensors(Reshaped("token_embd.weight", GgmlType.F64, 64, VocabSize))),
        Case("RoPE factors in F16", "'rope_freqs.weight' is F16: RoPE factors must be F32", () => B.RewriteTensors(With(CorpusTensor.Zeros("rope_freqs.weight", GgmlType.F16, 8)))),
        Case("rotating half of each head", "key length = value length = 'llama.rope.dimension_count'", () => B.Rewrite(("llama.rope.dimension_count", U32(8)))),
        Case("value heads half the key heads' length", "key length = value length", () => B.Rewrite(("llama.attention.key_length", U32(16)), ("llama.attention.value_length", U32(8)))),
        Case("eight heads of 8 over key tensors for heads of 16", "'blk.0.attn_k.weight' has shape [64, 32]", () => B.Rewrite(("llama.attention.head_count", U32(8)), ("llama.rope.dimension_count", CorpusBase.Removed))),
        Case("one key/value head over tensors for two", "'blk.0.attn_k.weight' has shape [64, 32]", () => B.Rewrite(("llama.attention.head_count_kv", U32(1)))),
        Case("embedding length per layer", "'llama.embedding_length' must be one integer", () => B.Rewrite(("llama.embedding_length", UInts(2, 64)))),
        Case("layer count as an array", "'llama.block_count' must be one integer", () => B.Rewrite(("llama.block_count", UInts(1, 2)))),
        Case("feed-forward length missing", "missing metadata 'llama.feed_forward_length'", () => B.Rewrite(("llama.feed_forward_length", CorpusBase.Removed))),
        Case("feed-forward length 128 over tensors of 192", "'blk.0.ffn_gate.weight' has shape [64, 192]", () => B.Rewrite(("llama.feed_forward_length", U32(128)))),
        Case("no attention heads on layer 1", "layer 1 has 0 attention heads", () => B.Rewrite(("llama.attention.head_count", HeadsPerLayer(4, 0)))),
        Case("eight experts over dense layers", "missing tensor 'blk.0.ffn_gate_inp.weight'", () => B.Rewrite(("llama.expert_count", U32(8)), ("llama.expert_used_count", U32(2)))),
    ];

    private static Func<IReadOnlyList<CorpusTensor>, IEnumerable<CorpusTensor>> Without(string name) => tensors => tensors.Where(t => t.Name != name);

    private static Func<IReadOnlyList<CorpusTensor>, IEnumerable<CorpusTensor>> With(CorpusTensor extra) => tensors => [.. tensors, extra];

    private static Func<IReadOnlyList<CorpusTensor>, IEnumerable<CorpusTensor>> Reshaped(string name, GgmlType type, params long[] dimensions) =>
        tensors => tensors.Select(t => t.Name == name ? CorpusTensor.Zeros(name, type, dimensions) : t);

    private static GgufValue HeadsPerLayer(params uint[] heads) => GgufValue.FromArray(new GgufArray(GgufValueType.UInt32, heads));

    private static int[] BaseTokenTypes => (int[])GgufReaderFile.Value.GetArray("tokenizer.ggml.token_type")!.Items;

    private static GgufValue TokenTypes(Func<int, int?> replace) =>
        GgufValue.FromArray(new GgufArray(GgufValueType.Int32, BaseTokenTypes.Select((type, i) => replace(i) ?? type).ToArray()));

    /// <summary>The byte's "&lt;0xHH&gt;" token renamed to a normal piece: the vocabulary can no longer spell that byte.</summary>
    private static byte[] WithoutByte(int b)
    {
        var name = $"<0x{b:X2}>";
        var index = Array.IndexOf(GgufReaderTokens.Value, name);
        return B.Rewrite(("tokenizer.ggml.tokens", Tokens(i => i == index ? $"\u2581byte{b:X2}" : null)), ("tokenizer.ggml.token_type", TokenTypes(i => i == index ? 1 : null)));
    }
}
