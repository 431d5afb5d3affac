using Frugal.Models;

namespace Frugal.Tests.Models.Corpus;

internal static partial class MalformedModelFiles
{
    private const string Q = "blk.0.attn_q.weight";
    private const string K = "blk.0.attn_k.weight";

    private static IEnumerable<MalformedModelFile> TensorTable() =>
    [
        Case("embedding table of 5 dimensions", "5 dimensions", () => B.Put32(Tensor("token_embd.weight").DimensionCountAt, 5)),
        Case("embedding table of 0 dimensions", "0 dimensions", () => B.Put32(Tensor("token_embd.weight").DimensionCountAt, 0)),
        Case("embedding table of 3 dimensions", "the name of tensor 1 claims", () => B.Put32(Tensor("token_embd.weight").DimensionCountAt, 3)),
        Case("query weight first dimension 0", "is zero", () => B.Put64(Tensor(Q).DimensionsAt, 0)),
        Case("query weight dimension 2^63", "is negative", () => B.Put64(Tensor(Q).DimensionsAt + 8, 1UL << 63)),
        Case("query weight dimensions overflow", "overflows", () => Dims(Q, 1UL << 32, 1UL << 32)),
        Case("query weight of 2^31 rows", "extends past the end", () => B.Put64(Tensor(Q).DimensionsAt + 8, 1UL << 31)),
        Case("query weight rows not whole Q8_0 blocks", "block size", () => B.Put64(Tensor(Q).DimensionsAt, 33)),
        Case("key weight twice as long", "overlaps", () => B.Put64(Tensor(K).DimensionsAt + 8, B.Read64(Tensor(K).DimensionsAt + 8) * 2)),
        Case("output weight one row past the end", "past the end",
            () => B.Put64(Tensor("output.weight").DimensionsAt + 8, B.Read64(Tensor("output.weight").DimensionsAt + 8) + 1)),
        Case("norm of removed type 4", "unknown ggml type 4", () => B.Put32(Tensor("output_norm.weight").TypeAt, 4)),
        Case("query weight of type 9999", "unknown ggml type 9999", () => B.Put32(Tensor(Q).TypeAt, 9999)),
        Case("query weight as F32 (4x the bytes)", "overlaps", () => B.Put32(Tensor(Q).TypeAt, F32)),
        Case("output weight as F32", "past the end", () => B.Put32(Tensor("output.weight").TypeAt, F32)),
        Case("query weight offset +1", "not aligned", () => B.Put64(Tensor(Q).OffsetAt, (ulong)Tensor(Q).Offset + 1)),
        Case("query weight offset +32", "overlaps", () => B.Put64(Tensor(Q).OffsetAt, (ulong)Tensor(Q).Offset + 32)),
        Case("key weight offset 0", "overlaps", () => B.Put64(Tensor(K).OffsetAt, 0)),
        Case("output weight offset 2^62", "past the end", () => B.Put64(Tensor("output.weight").OffsetAt, 1UL << 62)),
        Case("output weight offset 2^64-32", "impossible data offset", () => B.Put64(Tensor("output.weight").OffsetAt, ulong.MaxValue - 31)),
        Case("duplicate tensor name", "duplicate tensor name", () => B.Overwrite(Tensor(K).NameLengthAt + 8, Q)),
        Case("duplicate metadata key", "duplicate metadata key", () => B.Overwrite(Key("tokenizer.ggml.eos_token_id").LengthAt + 8, "tokenizer.ggml.bos_token_id")),
        Case("file 64 bytes short (past the last tensor's padding)", "past the end", () => B.Cut(B.Bytes().Length - 64)),
        Case("file cut where the data starts", "past the end", () => B.Cut(B.Layout.TableEnd)),
        Case("file cut inside the tensor table", "cannot fit in the 120 bytes", () => B.Cut(Tensor(K).NameLengthAt + 4)),
        Case("file cut inside the vocabulary", "only 1000 bytes remain", () => B.Cut(Key("tokenizer.ggml.tokens").ElementsAt + 1000)),
    ];

    private static IEnumerable<MalformedModelFile> Tokenizer() =>
    [
        Case("token with a NUL", "NUL character", () => B.Rewrite(("tokenizer.ggml.tokens", Tokens(i => i == 300 ? "\u2581\0i" : null)))),
        Case("token repeated", "repeats the token", () => B.Rewrite(("tokenizer.ggml.tokens", Tokens(i => i == 301 ? Token(300) : null)))),
        Case("tokens as uint32 values", "must be an array of strings", () => B.Rewrite(("tokenizer.ggml.tokens", UInts(VocabSize)))),
        Case("tokens as one string", "must be an array of strings", () => B.Rewrite(("tokenizer.ggml.tokens", GgufValue.FromString("a b c")))),
        Case("scores one short", "one per token", () => B.Rewrite(("tokenizer.ggml.scores", Floats(VocabSize - 1)))),
        Case("scores as strings", "one per token", () => B.Rewrite(("tokenizer.ggml.scores", Strings(VocabSize)))),
        Case("token types one long", "one per token", () => B.Rewrite(("tokenizer.ggml.token_type", Ints(VocabSize + 1)))),
        Case("token types as floats", "one per token", () => B.Rewrite(("tokenizer.ggml.token_type", Floats(VocabSize)))),
        Case("merges of numbers", "tokenizer.ggml.merges", () => B.Rewrite(("tokenizer.ggml.merges", UInts(3)))),
        Case("BOS outside the vocabulary", "not a token id", () => B.Rewrite(("tokenizer.ggml.bos_token_id", U32(1_000_000)))),
        Case("EOS negative", "not a token id", () => B.Rewrite(("tokenizer.ggml.eos_token_id", GgufValue.FromInt32(-1)))),
        Case("BOS as a string", "not a token id", () => B.Rewrite(("tokenizer.ggml.bos_token_id", GgufValue.FromString("1")))),
        Case("vocabulary shorter than the embedding table", "rows", () => B.Rewrite(("tokenizer.ggml.tokens", Strings(10)), ("tokenizer.ggml.scores", CorpusBase.Removed),
            ("tokenizer.ggml.token_type", CorpusBase.Removed))),
    ];

    private static IEnumerable<MalformedModelFile> HyperParameters() =>
    [
        Case("513 layers", "at most 512 layers", () => B.Rewrite(("llama.block_count", U32(513)))),
        Case("zero layers", "positive integer", () => B.Rewrite(("llama.block_count", U32(0)))),
        Case("layer count missing", "missing metadata 'llama.block_count'", () => B.Rewrite(("llama.block_count", CorpusBase.Removed))),
        Case("embedding length missing", "missing metadata 'llama.embedding_length'", () => B.Rewrite(("llama.embedding_length", CorpusBase.Removed))),
        Case("head count missing", "missing metadata 'llama.attention.head_count'", () => B.Rewrite(("llama.attention.head_count", CorpusBase.Removed))),
        Case("context length missing", "missing metadata 'llama.context_length'", () => B.Rewrite(("llama.context_length", CorpusBase.Removed))),
        Case("zero heads", "positive integer", () => B.Rewrite(("llama.attention.head_count", U32(0)))),
        Case("embedding not divisible by the heads", "cannot be split",
            () => B.Rewrite(("llama.attention.head_count", U32(3)), ("llama.attention.head_count_kv", U32(1)))),
        Case("heads not shared evenly by the KV heads", "cannot be shared", () => B.Rewrite(("llama.attention.head_count_kv", U32(3)))),
        Case("zero KV heads", "positive integer", () => B.Rewrite(("llama.attention.head_count_kv", U32(0)))),
        Case("key length 0", "head length", () => B.Rewrite(("llama.attention.key_length", U32(0)))),
        Case("value length 5000", "head length", () => B.Rewrite(("llama.attention.value_length", U32(5000)))),
        Case("key length as a string", "must be an integer", () => B.Rewrite(("llama.attention.key_length", GgufValue.FromString("16")))),
        Case("rope dimensions 0", "rope.dimension_count", () => B.Rewrite(("llama.rope.dimension_count", U32(0)))),
        Case("rope dimensions wider than a head", "rope.dimension_count", () => B.Rewrite(("llama.rope.dimension_count", U32(17)))),
        Case("head counts for three of two layers", "per layer", () => B.Rewrite(("llama.attention.head_count", UInts(3, 4)))),
        Case("feed-forward widths for one of two layers", "per layer", () => B.Rewrite(("llama.feed_forward_length", UInts(1, 192)))),
        Case("embedding wider than its table", "token_embd.weight", () => B.Rewrite(("llama.embedding_length", U32(128)))),
        Case("300 experts", "experts", () => B.Rewrite(("llama.expert_count", U32(300)), ("llama.expert_used_count", U32(2)))),
        Case("experts used without experts", "experts", () => B.Rewrite(("llama.expert_used_count", U32(2)))),
        Case("more experts used than exist", "experts", () => B.Rewrite(("llama.expert_count", U32(4)), ("llama.expert_used_count", U32(5)))),
        Case("architecture empty", "general.architecture", () => B.Rewrite(("general.architecture", GgufValue.FromString("")))),
        Case("architecture missing", "general.architecture", () => B.Rewrite(("general.architecture", CorpusBase.Removed))),
        Case("architecture unknown", "missing metadata 'gpt-9.", () => B.Rewrite(("general.architecture", GgufValue.FromString("gpt-9")))),
        Case("context length -1 as int32", "positive integer", () => B.Rewrite(("llama.context_length", GgufValue.FromInt32(-1)))),
        Case("embedding length 2^40", "positive integer", () => B.Rewrite(("llama.embedding_length", GgufValue.FromUInt64(1UL << 40)))),
    ];

    private static int VocabSize => (int)B.Read64(Key("tokenizer.ggml.tokens").CountAt);

    private static string Token(int index) => GgufReaderTokens.Value[index];

    private static Lazy<GgufFile> GgufReaderFile { get; } = new(() =>
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, B.Bytes());
            return GgufReader.Read(path);
        }
        finally
        {
            File.Delete(path);
        }
    });

    private static Lazy<string[]> GgufReaderTokens { get; } = new(() => (string[])GgufReaderFile.Value.GetArray("tokenizer.ggml.tokens")!.Items);

    private static GgufValue Tokens(Func<int, string?> replace) =>
        Strings([.. GgufReaderTokens.Value.Select((token, i) => replace(i) ?? token)]);

    private static GgufValue U32(uint value) => GgufValue.FromUInt32(value);

    private static GgufValue UInts(int count, uint value = 1) => GgufValue.FromArray(new GgufArray(GgufValueType.UInt32, Enumerable.Repeat(value, count).ToArray()));

    private static GgufValue Ints(int count) => GgufValue.FromArray(new GgufArray(GgufValueType.Int32, new int[count]));

    private static GgufValue Floats(int count) => GgufValue.FromArray(new GgufArray(GgufValueType.Float32, new float[count]));

    private static GgufValue Strings(int count) => Strings([.. Enumerable.Range(0, count).Select(i => "t" + i)]);

    private static GgufValue Strings(string[] values) => GgufValue.FromArray(new GgufArray(GgufValueType.String, values));

    private static byte[] Dims(string tensor, ulong first, ulong second)
    {
        var bytes = B.Put64(Tensor(tensor).DimensionsAt, first);
        BitConverter.TryWriteBytes(bytes.AsSpan(Tensor(tensor).DimensionsAt + 8), second);
        return bytes;
    }
}
