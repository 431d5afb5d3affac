using Frugal.Models;

namespace Frugal.Tests.Models;

/// <summary>Every kind of malformed file gives a <see cref="ModelFileException"/> naming the file, and nothing else.</summary>
public sealed class GgufReaderMalformedTests : IDisposable
{
    private const uint F32 = 0;
    private const uint Q8_0 = 8;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A valid file: three metadata keys (one a nested array), an F32 and a Q8_0 tensor.</summary>
    internal static RawGguf ValidHeader() => new RawGguf().Header(2, 3)
        .KvString("general.architecture", "llama")
        .KvU32("general.alignment", 32)
        .Str("nested").U32(9).U32(9).U64(2).U32(5).U64(2).U32(1).U32(2).U32(5).U64(0)
        .Tensor("a", F32, 0, 8)
        .Tensor("b", Q8_0, 32, 32, 2);

    internal static byte[] Valid() => ValidHeader().PadTo(32).Zeros(32 + 68).ToArray();

    public static TheoryData<string, byte[], string> Variants() => new()
    {
        { "empty file", [], "too small" },
        { "truncated magic", "GG"u8.ToArray(), "too small" },
        { "bad magic", new RawGguf().Raw("GGML"u8.ToArray()).U32(3).U64(0).U64(0).ToArray(), "bad magic" },
        { "version 1", new RawGguf().Header(0, 0, version: 1).ToArray(), "version 1" },
        { "unknown version", new RawGguf().Header(0, 0, version: 99).ToArray(), "unknown GGUF version" },
        { "big-endian version", new RawGguf().Header(0, 0, version: 0x03000000).ToArray(), "big-endian" },
        { "truncated counts", new RawGguf().Raw("GGUF"u8.ToArray()).U32(3).U64(0).ToArray(), "too small" },
        { "huge tensor count", new RawGguf().Header(1UL << 60, 0).Zeros(64).ToArray(), "tensor count" },
        { "huge metadata count", new RawGguf().Header(0, ulong.MaxValue).Zeros(64).ToArray(), "metadata count" },
        { "truncated in a key", new RawGguf().Header(0, 1).U64(20).Raw("genera"u8.ToArray()).ToArray(), "claims 20 bytes but only" },
        { "huge key length", new RawGguf().Header(0, 1).U64(ulong.MaxValue).Zeros(32).ToArray(), "more than the limit" },
        { "empty key", new RawGguf().Header(0, 1).Str("").U32(4).U32(1).ToArray(), "is empty" },
        { "huge string length", new RawGguf().Header(0, 1).Str("k").U32(8).U64(1UL << 62).Zeros(16).ToArray(), "more than the limit" },
        { "string past end of file", new RawGguf().Header(0, 1).Str("k").U32(8).U64(100).Zeros(99).ToArray(), "only 99 remain" },
        { "truncated in a value", new RawGguf().Header(0, 1).Str("k").U32(10).U32(7).ToArray(), "truncated" },
        { "unknown value type", new RawGguf().Header(0, 1).Str("k").U32(13).U32(0).ToArray(), "unknown metadata value type 13" },
        { "unknown array element type", new RawGguf().Header(0, 1).Str("k").U32(9).U32(99).U64(1).U32(0).ToArray(), "unknown metadata value type 99" },
        { "huge array length", new RawGguf().Header(0, 1).Str("k").U32(9).U32(0).U64(1UL << 40).Zeros(64).ToArray(), "more than the limit" },
        { "array longer than the file", new RawGguf().Header(0, 1).Str("k").U32(9).U32(5).U64(1000).Zeros(400).ToArray(), "only 400 bytes remain" },
        { "huge string array", new RawGguf().Header(0, 1).Str("k").U32(9).U32(8).U64(1_000_000).Zeros(64).ToArray(), "1000000 elements" },
        { "nested array with huge inner length", new RawGguf().Header(0, 1).Str("k").U32(9).U32(9).U64(1).U32(6).U64(ulong.MaxValue >> 2).Zeros(8).ToArray(),
            "more than the limit" },
        { "arrays nested too deep", DeepArrays(12), "deeper than" },
        { "duplicate key", new RawGguf().Header(0, 2).KvU32("k", 1).KvU32("k", 2).ToArray(), "duplicate metadata key" },
        { "bool value 2", new RawGguf().Header(0, 1).Str("k").U32(7).U8(2).ToArray(), "byte value 2" },
        { "alignment not UInt32", new RawGguf().Header(0, 1).KvString("general.alignment", "32").ToArray(), "must be a UInt32" },
        { "alignment not a power of two", new RawGguf().Header(0, 1).KvU32("general.alignment", 48).ToArray(), "power of two" },
        { "alignment zero", new RawGguf().Header(0, 1).KvU32("general.alignment", 0).ToArray(), "power of two" },
        { "truncated in the tensor table", new RawGguf().Header(1, 0).Str("a").U32(1).U64(8).ToArray(), "tensor count" },
        { "tensor count beyond the table", new RawGguf().Header(3, 0).Tensor("a", F32, 0, 8).PadTo(32).Zeros(32).ToArray(), "tensor count" },
        { "tensor name too long", Tensor(t => t.Tensor(new string('n', 100), F32, 0, 8)), "limit of 63" },
        { "empty tensor name", Tensor(t => t.Tensor("", F32, 0, 8)), "empty name" },
        { "duplicate tensor name", new RawGguf().Header(2, 0).Tensor("a", F32, 0, 8).Tensor("a", F32, 32, 8).PadTo(32).Zeros(64).ToArray(), "duplicate tensor name" },
        { "zero dimensions", Tensor(t => t.Tensor("a", F32, 0)), "0 dimensions" },
        { "five dimensions", Tensor(t => t.Tensor("a", F32, 0, 1, 1, 1, 1, 8)), "5 dimensions" },
        { "zero-length dimension", Tensor(t => t.Tensor("a", F32, 0, 8, 0)), "is zero" },
        { "negative dimension", Tensor(t => t.Tensor("a", F32, 0, 8, 1UL << 63)), "is negative" },
        { "dimension product overflows", Tensor(t => t.Tensor("a", F32, 0, 1UL << 32, 1UL << 32)), "product of its dimensions overflows" },
        { "byte size overflows", Tensor(t => t.Tensor("a", F32, 0, 1UL << 31, 1UL << 31)), "byte size overflows" },
        { "unknown tensor type", Tensor(t => t.Tensor("a", 1000, 0, 8)), "unknown ggml type 1000" },
        { "removed tensor type", Tensor(t => t.Tensor("a", 4, 0, 32)), "unknown ggml type 4" },
        { "first dimension not whole blocks", Tensor(t => t.Tensor("a", Q8_0, 0, 33)), "block size" },
        { "offset past end", Tensor(t => t.Tensor("a", F32, 1UL << 40, 8)), "past the end" },
        { "offset beyond Int64", Tensor(t => t.Tensor("a", F32, ulong.MaxValue - 31, 8)), "impossible data offset" },
        { "misaligned offset", new RawGguf().Header(1, 0).Tensor("a", F32, 4, 8).PadTo(32).Zeros(64).ToArray(), "not aligned" },
        { "overlapping tensors", Overlapping(), "overlaps" },
        { "oversized tensor", Tensor(t => t.Tensor("a", F32, 0, 1024)), "past the end" },
        { "truncated data section", Valid()[..^40], "past the end" },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Read_MalformedFile_ThrowsModelFileExceptionNamingTheFile(string variant, byte[] bytes, string problem)
    {
        var path = _temp.File("bad.gguf");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ModelFileException>(() => GgufReader.Read(path));

        Assert.Equal(path, e.FilePath);
        Assert.False(string.IsNullOrWhiteSpace(e.Problem), variant);
        Assert.InRange(e.Offset, -1, Math.Max(bytes.Length, 24));
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ValidBaseOfTheVariants_Succeeds()
    {
        var path = _temp.File("good.gguf");
        File.WriteAllBytes(path, Valid());

        var file = GgufReader.Read(path);

        Assert.Equal(["a", "b"], file.Tensors.Select(t => t.Name));
        Assert.Equal(2, file.GetArray("nested")!.Count);
    }

    [Fact]
    public void Read_TruncatedAtEveryLength_AlwaysThrowsModelFileException()
    {
        var valid = Valid();
        var path = _temp.File("cut.gguf");
        for (var length = 0; length < valid.Length; length++)
        {
            File.WriteAllBytes(path, valid[..length]);

            var e = Assert.Throws<ModelFileException>(() => GgufReader.Read(path));

            Assert.InRange(e.Offset, -1, length);
        }
    }

    [Fact]
    public void Read_RandomByteCorruption_NeverThrowsAnythingElse()
    {
        var valid = Valid();
        var path = _temp.File("fuzz.gguf");
        var random = new Random(1234);
        for (var round = 0; round < 600; round++)
        {
            var bytes = (byte[])valid.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            File.WriteAllBytes(path, bytes);
            try
            {
                GgufReader.Read(path);
            }
            catch (ModelFileException)
            {
                // Expected for most corruptions; anything else fails the test.
            }
        }
    }

    [Fact]
    public void ModelInfoRead_RandomHeaderCorruptionOfTinyModel_NeverThrowsAnythingElse()
    {
        var tiny = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(tiny);
        var valid = File.ReadAllBytes(tiny);
        var headerBytes = (int)GgufReader.Read(tiny).DataOffset;
        var path = _temp.File("fuzz-tiny.gguf");
        var random = new Random(5678);
        for (var round = 0; round < 300; round++)
        {
            var bytes = (byte[])valid.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                bytes[random.Next(headerBytes)] = (byte)random.Next(256);
            }

            File.WriteAllBytes(path, bytes);
            try
            {
                ModelInfoReader.Read(path);
            }
            catch (ModelFileException)
            {
                // Expected for most corruptions; anything else fails the test.
            }
        }
    }

    [Fact]
    public void Read_MisalignedOffset_ReportsTheTensorInfoOffset()
    {
        var path = _temp.File("misaligned.gguf");
        File.WriteAllBytes(path, new RawGguf().Header(1, 0).Tensor("a", F32, 4, 8).PadTo(32).Zeros(64).ToArray());

        var e = Assert.Throws<ModelFileException>(() => GgufReader.Read(path));

        Assert.Equal(24, e.Offset);
        Assert.Contains("not aligned", e.Problem, StringComparison.Ordinal);
    }

    private static byte[] Tensor(Func<RawGguf, RawGguf> table) => table(new RawGguf().Header(1, 0)).PadTo(32).Zeros(64).ToArray();

    private static byte[] Overlapping() =>
        new RawGguf().Header(2, 0).Tensor("a", F32, 0, 16).Tensor("b", F32, 32, 8).PadTo(32).Zeros(96).ToArray();

    private static byte[] DeepArrays(int depth)
    {
        var raw = new RawGguf().Header(0, 1).Str("k").U32(9);
        for (var i = 0; i < depth; i++)
        {
            raw.U32(9).U64(1);
        }

        return raw.U32(5).U64(0).ToArray();
    }
}
