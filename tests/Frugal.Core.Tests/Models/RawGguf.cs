using System.Buffers.Binary;
using System.Text;

namespace Frugal.Tests.Models;

/// <summary>Hand-assembles GGUF bytes field by field, so tests can write files no correct writer would.</summary>
internal sealed class RawGguf
{
    private readonly List<byte> _bytes = [];

    public int Length => _bytes.Count;

    public RawGguf U8(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public RawGguf U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public RawGguf U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        _bytes.AddRange(b.ToArray());
        return this;
    }

    public RawGguf Str(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        U64((ulong)bytes.Length);
        _bytes.AddRange(bytes);
        return this;
    }

    public RawGguf Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    /// <summary>Magic, version and the two counts.</summary>
    public RawGguf Header(ulong tensors, ulong kvs, uint version = 3) => Raw("GGUF"u8.ToArray()).U32(version).U64(tensors).U64(kvs);

    public RawGguf KvString(string key, string value) => Str(key).U32(8).Str(value);

    public RawGguf KvU32(string key, uint value) => Str(key).U32(4).U32(value);

    public RawGguf Tensor(string name, uint type, ulong offset, params ulong[] dims)
    {
        Str(name).U32((uint)dims.Length);
        foreach (var d in dims)
        {
            U64(d);
        }

        return U32(type).U64(offset);
    }

    public RawGguf PadTo(int alignment)
    {
        while (_bytes.Count % alignment != 0)
        {
            _bytes.Add(0);
        }

        return this;
    }

    public RawGguf Zeros(int count)
    {
        _bytes.AddRange(new byte[count]);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];
}
