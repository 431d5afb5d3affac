using Frugal.Models;

namespace Frugal.Tests.Models.Corpus;

/// <summary>
/// The named malformed-file corpus: each case is one deterministic change to a model our writer wrote
/// (<see cref="CorpusBase"/>) and the fragment of the <see cref="ModelFileException"/> that must refuse it. Together
/// they cover the header, the counts, string lengths, value types, arrays, the alignment, tensor shapes, offsets and
/// types, the tokenizer's metadata, the hyper-parameters llama.cpp asserts on, a vocabulary llama.cpp cannot use, and
/// the llama tensor set (missing, extra, misshapen or mistyped tensors).
/// </summary>
internal static partial class MalformedModelFiles
{
    private const uint F32 = 0;

    public static IReadOnlyList<MalformedModelFile> All { get; } = [.. Header(), .. Counts(), .. StringLengths(), .. Types(), .. Arrays(),
        .. Alignment(), .. TensorTable(), .. Tokenizer(), .. HyperParameters(), .. Vocabulary(), .. TensorSet()];

    private static CorpusBase B => CorpusBase.Tiny;

    private static GgufLayout.KeyField Key(string name) => B.Layout.Keys[name];

    private static GgufLayout.TensorField Tensor(string name) => B.Layout.Tensors[name];

    private static MalformedModelFile Case(string name, string expected, Func<byte[]> make) => new(name, expected, make);

    private static IEnumerable<MalformedModelFile> Header() =>
    [
        Case("magic GGUG", "bad magic", () => B.Overwrite(0, "GGUG")),
        Case("magic in lower case", "bad magic", () => B.Overwrite(0, "gguf")),
        Case("version 1", "version 1", () => B.Put32(GgufLayout.VersionAt, 1)),
        Case("version 4", "unknown GGUF version 4", () => B.Put32(GgufLayout.VersionAt, 4)),
        Case("version 3 big-endian", "big-endian", () => B.Put32(GgufLayout.VersionAt, 0x03000000)),
        Case("cut after the magic", "too small", () => B.Cut(4)),
        Case("cut inside the counts", "too small", () => B.Cut(20)),
        Case("cut before the first key", "impossible in a file of 24 bytes", () => B.Cut(24)),
    ];

    private static IEnumerable<MalformedModelFile> Counts() =>
    [
        Case("tensor count 0", "no tensors", () => B.Put64(GgufLayout.TensorCountAt, 0)),
        Case("tensor count one more", "tensor", () => B.Put64(GgufLayout.TensorCountAt, B.Read64(GgufLayout.TensorCountAt) + 1)),
        Case("tensor count 2^62", "tensor count", () => B.Put64(GgufLayout.TensorCountAt, 1UL << 62)),
        Case("tensor count 2^64-1", "tensor count", () => B.Put64(GgufLayout.TensorCountAt, ulong.MaxValue)),
        Case("metadata count 0", "has 8 dimensions", () => B.Put64(GgufLayout.MetadataCountAt, 0)),
        Case("metadata count one fewer", "dimensions overflows", () => B.Put64(GgufLayout.MetadataCountAt, B.Read64(GgufLayout.MetadataCountAt) - 1)),
        Case("metadata count one more", "the name of tensor 0 claims", () => B.Put64(GgufLayout.MetadataCountAt, B.Read64(GgufLayout.MetadataCountAt) + 1)),
        Case("metadata count 2^40", "metadata count", () => B.Put64(GgufLayout.MetadataCountAt, 1UL << 40)),
    ];

    private static IEnumerable<MalformedModelFile> StringLengths() =>
    [
        Case("architecture key length 0", "is empty", () => B.Put64(Key("general.architecture").LengthAt, 0)),
        Case("architecture key length 2^63", "more than the limit", () => B.Put64(Key("general.architecture").LengthAt, 1UL << 63)),
        Case("architecture key length one short", "unknown metadata value type 2149 for 'general.architectur'", () => B.Put64(Key("general.architecture").LengthAt, 19)),
        Case("architecture value length 2^62", "more than the limit", () => B.Put64(Key("general.architecture").ValueAt, 1UL << 62)),
        Case("architecture value length past the end", "remain", () => B.Put64(Key("general.architecture").ValueAt, (ulong)B.Bytes().Length)),
        Case("model name length 0", "metadata key 2 claims", () => B.Put64(Key("general.name").ValueAt, 0)),
        Case("chat template length 2^40", "more than the limit", () => B.Put64(Key("tokenizer.chat_template").ValueAt, 1UL << 40)),
        Case("first token length 2^40", "more than the limit", () => B.Put64(Key("tokenizer.ggml.tokens").ElementsAt, 1UL << 40)),
        Case("first token length 0", "element 1 of 'tokenizer.ggml.tokens' claims", () => B.Put64(Key("tokenizer.ggml.tokens").ElementsAt, 0)),
        Case("tensor name length 64", "limit of 63", () => B.Put64(Tensor("token_embd.weight").NameLengthAt, 64)),
        Case("tensor name length 0", "empty name", () => B.Put64(Tensor("token_embd.weight").NameLengthAt, 0)),
        Case("tensor name length 2^63", "more than the limit of 63", () => B.Put64(Tensor("token_embd.weight").NameLengthAt, 1UL << 63)),
    ];

    private static IEnumerable<MalformedModelFile> Types() =>
    [
        Case("block count of value type 13", "unknown metadata value type 13", () => B.Put32(Key("llama.block_count").TypeAt, 13)),
        Case("block count of value type 2^32-1", "unknown metadata value type", () => B.Put32(Key("llama.block_count").TypeAt, uint.MaxValue)),
        Case("block count as a float32", "must be a positive integer", () => B.Put32(Key("llama.block_count").TypeAt, 6)),
        Case("block count as a string", "the value of 'llama.block_count' claims", () => B.Put32(Key("llama.block_count").TypeAt, 8)),
        Case("context length as int32 -1", "positive integer", () => Int32(B.Put32(Key("llama.context_length").ValueAt, uint.MaxValue), "llama.context_length")),
        Case("embedding length as a bool", "byte value 64", () => B.Put32(Key("llama.embedding_length").TypeAt, 7)),
        Case("head count as an array", "metadata key 8 claims", () => B.Put32(Key("llama.attention.head_count").TypeAt, 9)),
        Case("architecture as a uint64", "metadata key 1 claims", () => B.Put32(Key("general.architecture").TypeAt, 10)),
        Case("tokens of uint32 elements", "metadata key 14 claims", () => B.Put32(Key("tokenizer.ggml.tokens").ElementTypeAt, 4)),
        Case("scores of string elements", "element 129 of 'tokenizer.ggml.scores' claims", () => B.Put32(Key("tokenizer.ggml.scores").ElementTypeAt, 8)),
        Case("token types of element type 99", "unknown metadata value type 99", () => B.Put32(Key("tokenizer.ggml.token_type").ElementTypeAt, 99)),
        Case("add-BOS bool of value 2", "byte value 2", () => Byte(Key("tokenizer.ggml.add_bos_token").ValueAt, 2)),
        Case("add-EOS bool of value 255", "byte value 255", () => Byte(Key("tokenizer.ggml.add_eos_token").ValueAt, 255)),
    ];

    private static IEnumerable<MalformedModelFile> Arrays() =>
    [
        Case("tokens count 0", "metadata key 15 claims", () => B.Put64(Key("tokenizer.ggml.tokens").CountAt, 0)),
        Case("tokens count 2^40", "more than the limit", () => B.Put64(Key("tokenizer.ggml.tokens").CountAt, 1UL << 40)),
        Case("tokens count one more", "metadata key 14 claims", () => B.Put64(Key("tokenizer.ggml.tokens").CountAt, B.Read64(Key("tokenizer.ggml.tokens").CountAt) + 1)),
        Case("tokens count one fewer", "unknown metadata value type 21",
            () => B.Put64(Key("tokenizer.ggml.tokens").CountAt, B.Read64(Key("tokenizer.ggml.tokens").CountAt) - 1)),
        Case("scores count 2^61", "more than the limit", () => B.Put64(Key("tokenizer.ggml.scores").CountAt, 1UL << 61)),
        Case("scores count half", "metadata key 15 claims", () => B.Put64(Key("tokenizer.ggml.scores").CountAt, B.Read64(Key("tokenizer.ggml.scores").CountAt) / 2)),
        Case("token types count 0", "metadata key 16 claims", () => B.Put64(Key("tokenizer.ggml.token_type").CountAt, 0)),
        Case("scores of nested arrays", "'tokenizer.ggml.scores' array claims", () => B.Put32(Key("tokenizer.ggml.scores").ElementTypeAt, 9)),
    ];

    private static IEnumerable<MalformedModelFile> Alignment() =>
    [
        Case("alignment 48", "power of two", () => CorpusBase.Aligned64.Put32(Aligned("general.alignment").ValueAt, 48)),
        Case("alignment 0", "power of two", () => CorpusBase.Aligned64.Put32(Aligned("general.alignment").ValueAt, 0)),
        Case("alignment 3", "power of two", () => CorpusBase.Aligned64.Put32(Aligned("general.alignment").ValueAt, 3)),
        Case("alignment 2 MiB", "power of two", () => CorpusBase.Aligned64.Put32(Aligned("general.alignment").ValueAt, 2 << 20)),
        Case("alignment as an int32", "must be a UInt32", () => CorpusBase.Aligned64.Put32(Aligned("general.alignment").TypeAt, 5)),
        Case("alignment 4096 for data aligned to 64", "not aligned to 4096", () => CorpusBase.Aligned64.Put32(Aligned("general.alignment").ValueAt, 4096)),
    ];

    private static GgufLayout.KeyField Aligned(string name) => CorpusBase.Aligned64.Layout.Keys[name];

    private static byte[] Byte(int at, byte value)
    {
        var bytes = B.Bytes();
        bytes[at] = value;
        return bytes;
    }

    private static byte[] Int32(byte[] bytes, string key)
    {
        BitConverter.TryWriteBytes(bytes.AsSpan(B.Layout.Keys[key].TypeAt), 5u);
        return bytes;
    }
}
