using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Frugal.Models;

/// <summary>
/// Reads little-endian GGUF fields from a stream, checking before every read that the file still
/// holds enough bytes; any shortfall becomes a <see cref="ModelFileException"/> at the exact offset.
/// </summary>
internal sealed class GgufCursor
{
    private readonly Stream _stream;
    private readonly string _path;
    private readonly byte[] _scratch = new byte[8];

    public GgufCursor(Stream stream, string path, long length)
    {
        _stream = stream;
        _path = path;
        Length = length;
    }

    public long Length { get; }

    public long Position { get; private set; }

    public long Remaining => Length - Position;

    public ModelFileException Fail(string problem) => new(_path, Position, problem);

    public ModelFileException FailAt(long offset, string problem) => new(_path, offset, problem);

    public void Need(long bytes, string what)
    {
        if (bytes > Remaining)
        {
            throw Fail($"truncated: {what} needs {bytes} bytes but the file ends {Remaining} bytes later");
        }
    }

    public byte ReadUInt8(string what) => Read(1, what)[0];

    public ushort ReadUInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Read(2, what));

    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Read(4, what));

    public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Read(8, what));

    public float ReadFloat32(string what) => BinaryPrimitives.ReadSingleLittleEndian(Read(4, what));

    public double ReadFloat64(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Read(8, what));

    /// <summary>Reads a GGUF string (u64 length + UTF-8 bytes) no longer than <paramref name="maxBytes"/>.</summary>
    public string ReadString(string what, int maxBytes)
    {
        var start = Position;
        var length = ReadUInt64($"the length of {what}");
        if (length > (ulong)maxBytes)
        {
            throw FailAt(start, $"{what} claims {length} bytes, more than the limit of {maxBytes}");
        }

        if ((long)length > Remaining)
        {
            throw FailAt(start, $"{what} claims {length} bytes but only {Remaining} remain in the file");
        }

        var count = (int)length;
        if (count == 0)
        {
            return "";
        }

        var buffer = ArrayPool<byte>.Shared.Rent(count);
        try
        {
            var span = buffer.AsSpan(0, count);
            _stream.ReadExactly(span);
            Position += count;
            return Encoding.UTF8.GetString(span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Fills <paramref name="items"/> (an unmanaged array already bounded by the caller) from the file.</summary>
    public void ReadInto<T>(T[] items, string what)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(items.AsSpan());
        Need(bytes.Length, what);
        _stream.ReadExactly(bytes);
        Position += bytes.Length;
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("GGUF reading needs a little-endian machine.");
        }
    }

    private ReadOnlySpan<byte> Read(int count, string what)
    {
        Need(count, what);
        var span = _scratch.AsSpan(0, count);
        _stream.ReadExactly(span);
        Position += count;
        return span;
    }
}
