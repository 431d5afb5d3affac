using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Frugal.Models;

/// <summary>Little-endian GGUF field encoding for <see cref="GgufWriter"/>, counting the bytes written.</summary>
internal sealed class GgufHeaderWriter(Stream stream)
{
    private readonly byte[] _scratch = new byte[8];

    public long Written { get; private set; }

    public void UInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_scratch, value);
        Bytes(_scratch.AsSpan(0, 4));
    }

    public void UInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_scratch, value);
        Bytes(_scratch.AsSpan(0, 8));
    }

    public void String(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        UInt64((ulong)bytes.Length);
        Bytes(bytes);
    }

    public void Value(GgufValue value)
    {
        switch (value.Value)
        {
            case byte v: Bytes([v]); break;
            case sbyte v: Bytes([(byte)v]); break;
            case ushort v: Scalar(v); break;
            case short v: Scalar(v); break;
            case uint v: UInt32(v); break;
            case int v: Scalar(v); break;
            case float v: Scalar(v); break;
            case bool v: Bytes([v ? (byte)1 : (byte)0]); break;
            case string v: String(v); break;
            case ulong v: UInt64(v); break;
            case long v: Scalar(v); break;
            case double v: Scalar(v); break;
            case GgufArray v: Array(v); break;
            default: throw new InvalidOperationException($"Cannot write a {value.Value.GetType().Name}.");
        }
    }

    private void Array(GgufArray array)
    {
        UInt32((uint)array.ElementType);
        UInt64((ulong)array.Count);
        switch (array.Items)
        {
            case string[] strings:
                foreach (var s in strings)
                {
                    String(s);
                }

                break;
            case GgufArray[] nested:
                foreach (var a in nested)
                {
                    Array(a);
                }

                break;
            case bool[] bools:
                foreach (var b in bools)
                {
                    Bytes([b ? (byte)1 : (byte)0]);
                }

                break;
            case byte[] v: Bytes(v); break;
            case sbyte[] v: Bulk(v); break;
            case ushort[] v: Bulk(v); break;
            case short[] v: Bulk(v); break;
            case uint[] v: Bulk(v); break;
            case int[] v: Bulk(v); break;
            case float[] v: Bulk(v); break;
            case ulong[] v: Bulk(v); break;
            case long[] v: Bulk(v); break;
            case double[] v: Bulk(v); break;
            default: throw new InvalidOperationException($"Cannot write a {array.Items.GetType().Name} array.");
        }
    }

    // GGUF is little-endian, as is every machine .NET runs Frugal on; values are copied as they are in memory.
    private void Scalar<T>(T value)
        where T : unmanaged => Bytes(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));

    private void Bulk<T>(T[] items)
        where T : unmanaged => Bytes(MemoryMarshal.AsBytes(items.AsSpan()));

    private void Bytes(ReadOnlySpan<byte> bytes)
    {
        stream.Write(bytes);
        Written += bytes.Length;
    }
}
