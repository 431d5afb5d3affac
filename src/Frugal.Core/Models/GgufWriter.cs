using System.Text;

namespace Frugal.Models;

/// <summary>
/// Writes GGUF files: metadata of every type, tensors laid out back to back at the chosen alignment.
/// Tensor data is produced in chunks by a <see cref="GgufTensorFill"/>, so multi-GB files are written
/// with a small, fixed buffer.
/// </summary>
public sealed class GgufWriter
{
    private const uint Magic = 0x46554747;
    private const int ChunkBytes = 4 << 20;

    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly List<PendingTensor> _tensors = [];

    /// <summary>Creates a writer for GGUF <paramref name="version"/> (2 or 3) with tensor data aligned to <paramref name="alignment"/>.</summary>
    public GgufWriter(int alignment = 32, uint version = 3)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "Alignment must be a power of two.");
        }

        if (version is not (2 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "Only GGUF versions 2 and 3 can be written.");
        }

        Alignment = alignment;
        Version = version;
        if (alignment != 32)
        {
            _metadata.Add(new("general.alignment", GgufValue.FromUInt32((uint)alignment)));
        }
    }

    /// <summary>The data alignment (written as general.alignment when not the default 32).</summary>
    public int Alignment { get; }

    /// <summary>The GGUF version written.</summary>
    public uint Version { get; }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>, replacing an earlier value in place.</summary>
    public GgufWriter Set(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key == "general.alignment")
        {
            throw new ArgumentException("Set the alignment through the constructor.", nameof(key));
        }

        var index = _metadata.FindIndex(e => e.Key == key);
        if (index >= 0)
        {
            _metadata[index] = new(key, value);
        }
        else
        {
            _metadata.Add(new(key, value));
        }

        return this;
    }

    /// <summary>Adds a tensor whose data <paramref name="fill"/> produces chunk by chunk.</summary>
    public GgufWriter AddTensor(string name, GgmlType type, IReadOnlyList<long> dimensions, GgufTensorFill fill)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(fill);
        if (Encoding.UTF8.GetByteCount(name) > 63)
        {
            throw new ArgumentException($"Tensor name '{name}' is longer than 63 bytes.", nameof(name));
        }

        if (_tensors.Exists(t => t.Name == name))
        {
            throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));
        }

        if (!GgmlTypeInfo.IsKnown(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown ggml type.");
        }

        if (dimensions.Count is 0 or > 4 || dimensions.Any(d => d <= 0))
        {
            throw new ArgumentException("A tensor has 1 to 4 positive dimensions.", nameof(dimensions));
        }

        var elements = dimensions.Aggregate(1L, (product, d) => checked(product * d));
        var bytes = dimensions[0] % GgmlTypeInfo.BlockSize(type) == 0 ? GgmlTypeInfo.ByteSize(type, elements) : null;
        if (bytes is null)
        {
            throw new ArgumentException($"The first dimension must be a multiple of the {type} block size {GgmlTypeInfo.BlockSize(type)}.", nameof(dimensions));
        }

        _tensors.Add(new PendingTensor(name, type, [.. dimensions], bytes.Value, fill));
        return this;
    }

    /// <summary>Adds a tensor with its data given in full.</summary>
    public GgufWriter AddTensor(string name, GgmlType type, IReadOnlyList<long> dimensions, ReadOnlyMemory<byte> data)
    {
        AddTensor(name, type, dimensions, (destination, offset) => data.Span.Slice((int)offset, destination.Length).CopyTo(destination));
        if (_tensors[^1].ByteSize != data.Length)
        {
            _tensors.RemoveAt(_tensors.Count - 1);
            throw new ArgumentException($"Tensor '{name}' needs {data.Length} bytes of data.", nameof(data));
        }

        return this;
    }

    /// <summary>
    /// Writes the file to a temporary name next to <paramref name="path"/>, flushes it to disk, drops its pages from
    /// the page cache, then moves it into place.
    /// </summary>
    public void WriteTo(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The directory {directory} does not exist.");
        }

        var temporary = full + ".partial";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                WriteTo(stream);

                // On disk, then out of the page cache: the first load reads it back in large pages (see PageCache).
                stream.Flush(flushToDisk: true);
                PageCache.Drop(stream.SafeFileHandle);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Writes the whole file to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new GgufHeaderWriter(stream);
        header.UInt32(Magic);
        header.UInt32(Version);
        header.UInt64((ulong)_tensors.Count);
        header.UInt64((ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            header.String(key);
            header.UInt32((uint)value.Type);
            header.Value(value);
        }

        var offset = 0L;
        foreach (var tensor in _tensors)
        {
            header.String(tensor.Name);
            header.UInt32((uint)tensor.Dimensions.Length);
            foreach (var d in tensor.Dimensions)
            {
                header.UInt64((ulong)d);
            }

            header.UInt32((uint)tensor.Type);
            header.UInt64((ulong)offset);
            offset = AlignUp(offset + tensor.ByteSize);
        }

        WritePadding(stream, header.Written);
        WriteData(stream);
        stream.Flush();
    }

    private void WriteData(Stream stream)
    {
        var buffer = new byte[ChunkBytes];
        foreach (var tensor in _tensors)
        {
            var typeSize = GgmlTypeInfo.TypeSize(tensor.Type);
            var chunk = ChunkBytes / typeSize * typeSize;
            for (var done = 0L; done < tensor.ByteSize;)
            {
                var n = (int)Math.Min(chunk, tensor.ByteSize - done);
                var span = buffer.AsSpan(0, n);
                tensor.Fill(span, done);
                stream.Write(span);
                done += n;
            }

            WritePadding(stream, tensor.ByteSize);
        }
    }

    private void WritePadding(Stream stream, long written)
    {
        Span<byte> zeros = stackalloc byte[256];
        zeros.Clear();
        for (var pad = AlignUp(written) - written; pad > 0; pad -= zeros.Length)
        {
            stream.Write(zeros[..(int)Math.Min(pad, zeros.Length)]);
        }
    }

    private long AlignUp(long value) => (value + Alignment - 1) / Alignment * Alignment;

    private sealed record PendingTensor(string Name, GgmlType Type, long[] Dimensions, long ByteSize, GgufTensorFill Fill);
}
