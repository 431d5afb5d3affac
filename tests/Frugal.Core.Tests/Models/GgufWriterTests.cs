using Frugal.Models;

namespace Frugal.Tests.Models;

public sealed class GgufWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(2u, 32)]
    [InlineData(3u, 32)]
    [InlineData(3u, 64)]
    public void WriteTo_EveryValueTypeAndTensors_ReadsBackEqual(uint version, int alignment)
    {
        var path = _temp.File("all.gguf");
        var nested = new GgufArray(GgufValueType.Array,
            new[] { new GgufArray(GgufValueType.Int32, new[] { 1, 2, 3 }), new GgufArray(GgufValueType.Int32, Array.Empty<int>()) });
        var writer = new GgufWriter(alignment, version)
            .Set("u8", GgufValue.FromUInt8(200)).Set("i8", GgufValue.FromInt8(-100))
            .Set("u16", GgufValue.FromUInt16(60000)).Set("i16", GgufValue.FromInt16(-30000))
            .Set("u32", GgufValue.FromUInt32(4_000_000_000)).Set("i32", GgufValue.FromInt32(-2_000_000_000))
            .Set("f32", GgufValue.FromFloat32(1.5f)).Set("bool", GgufValue.FromBool(true))
            .Set("str", GgufValue.FromString("héllo <|user|>")).Set("u64", GgufValue.FromUInt64(ulong.MaxValue))
            .Set("i64", GgufValue.FromInt64(long.MinValue)).Set("f64", GgufValue.FromFloat64(-2.25))
            .Set("strings", GgufValue.FromArray(new GgufArray(GgufValueType.String, new[] { "a", "", "ü" })))
            .Set("floats", GgufValue.FromArray(new GgufArray(GgufValueType.Float32, new[] { 0.5f, -1f })))
            .Set("bools", GgufValue.FromArray(new GgufArray(GgufValueType.Bool, new[] { true, false })))
            .Set("nested", GgufValue.FromArray(nested));
        var f32 = new byte[4 * 8];
        f32.AsSpan().Fill(7);
        var q8 = new byte[34 * 2];
        q8.AsSpan().Fill(9);
        writer.AddTensor("a", GgmlType.F32, [8], f32).AddTensor("b.weight", GgmlType.Q8_0, [32, 2], q8);

        writer.WriteTo(path);
        var file = GgufReader.Read(path);

        Assert.Equal(version, file.Version);
        Assert.Equal(alignment, file.Alignment);
        Assert.Equal((byte)200, file.Metadata["u8"].Value);
        Assert.Equal((sbyte)-100, file.Metadata["i8"].Value);
        Assert.Equal((ushort)60000, file.Metadata["u16"].Value);
        Assert.Equal((short)-30000, file.Metadata["i16"].Value);
        Assert.Equal(4_000_000_000u, file.Metadata["u32"].Value);
        Assert.Equal(-2_000_000_000, file.Metadata["i32"].Value);
        Assert.Equal(1.5f, file.Metadata["f32"].Value);
        Assert.Equal(true, file.Metadata["bool"].Value);
        Assert.Equal("héllo <|user|>", file.GetString("str"));
        Assert.Equal(ulong.MaxValue, file.Metadata["u64"].Value);
        Assert.Equal(long.MinValue, file.Metadata["i64"].Value);
        Assert.Equal(-2.25, file.Metadata["f64"].Value);
        Assert.Equal(["a", "", "ü"], file.GetArray("strings")!.As<string>()!);
        Assert.Equal([0.5f, -1f], file.GetArray("floats")!.As<float>()!);
        Assert.Equal([true, false], file.GetArray("bools")!.As<bool>()!);
        var readNested = file.GetArray("nested")!.As<GgufArray>()!;
        Assert.Equal([1, 2, 3], readNested[0].As<int>()!);
        Assert.Equal(0, readNested[1].Count);

        Assert.Equal(["a", "b.weight"], file.Tensors.Select(t => t.Name));
        var b = file.Tensors[1];
        Assert.Equal([32L, 2L], b.Dimensions);
        Assert.Equal(GgmlType.Q8_0, b.Type);
        Assert.Equal(68, b.ByteSize);
        Assert.Equal(0, b.Offset % alignment);
        Assert.Equal(0, file.DataOffset % alignment);
        using var stream = File.OpenRead(path);
        stream.Position = file.DataOffset + b.Offset;
        var data = new byte[68];
        stream.ReadExactly(data);
        Assert.Equal(q8, data);
    }

    [Fact]
    public void Set_SameKeyTwice_KeepsOneEntryWithTheLastValue()
    {
        var path = _temp.File("twice.gguf");
        new GgufWriter().Set("k", GgufValue.FromUInt32(1)).Set("other", GgufValue.FromBool(false)).Set("k", GgufValue.FromUInt32(2)).WriteTo(path);

        var file = GgufReader.Read(path);

        Assert.Equal(["k", "other"], file.MetadataEntries.Select(e => e.Key));
        Assert.Equal(2u, file.Metadata["k"].Value);
    }

    [Fact]
    public void AddTensor_FirstDimensionNotWholeBlocks_Throws()
    {
        var writer = new GgufWriter();

        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", GgmlType.Q8_0, [16], new byte[17]));
    }

    [Fact]
    public void AddTensor_DataOfWrongSize_Throws()
    {
        var writer = new GgufWriter();

        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", GgmlType.F32, [4], new byte[15]));
    }
}
