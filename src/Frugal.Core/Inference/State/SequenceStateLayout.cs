using System.Buffers.Binary;

namespace Frugal.Inference.State;

/// <summary>
/// Where things are in llama.cpp's state of one sequence of a plain KV cache (<c>llama_state_seq_get_data</c>, the
/// llama.cpp LLamaSharp 0.30.0 ships): a magic number and the sequence id it was read from, the stream count; per
/// stream its cell count, then each cell's position and
/// sequence (12 bytes), the V layout and layer count, per layer a 12-byte header and the K rows of every cell, then
/// per layer a 12-byte header and the V rows (or, transposed, per embedding column the value of every cell). Only
/// the sequence's own stream holds cells. <see cref="SequenceStateCut"/> cuts and joins states by these offsets.
/// A state of any other shape (a sliding-window or recurrent cache, positions with extra dimensions, an index per
/// key) is not recognised to its last byte and gives null: the caller then keeps states whole.
/// </summary>
internal sealed class SequenceStateLayout
{
    /// <summary>Bytes of one cell's entry: position (i32), sequence count (u32, always 1 here), sequence id (i32).</summary>
    public const int CellEntryBytes = 12;

    /// <summary>Bytes of a layer's K or V header: type (i32) and row size (u64), or type, element size and columns (3 × u32).</summary>
    public const int SectionHeaderBytes = 12;

    /// <summary>Bytes before the stream count: llama.cpp's magic number for sequence states (u32) and the sequence id (i32).</summary>
    public const int PrefixBytes = 8;

    private const uint Magic = 0xaf143cd8;
    private const int MaxStreams = 1024;
    private const int MaxLayers = 4096;

    private SequenceStateLayout(int streams, int stream, int[] positions, int entriesOffset, uint transposedValues, uint layers, Section[] sections)
    {
        Streams = streams;
        Stream = stream;
        Positions = positions;
        EntriesOffset = entriesOffset;
        TransposedValues = transposedValues;
        Layers = layers;
        Sections = sections;
    }

    /// <summary>The context's stream count, written at the start of the state.</summary>
    public int Streams { get; }

    /// <summary>The stream that holds the cells; -1 when the state holds none.</summary>
    public int Stream { get; }

    /// <summary>Each cell's position, in the order the state lists the cells.</summary>
    public int[] Positions { get; }

    /// <summary>Where the first cell's entry starts.</summary>
    public int EntriesOffset { get; }

    /// <summary>1 when V is stored transposed (by embedding column), 0 when by cell.</summary>
    public uint TransposedValues { get; }

    /// <summary>The layer count written before the K sections.</summary>
    public uint Layers { get; }

    /// <summary>The K sections of every layer, then the V sections.</summary>
    public Section[] Sections { get; }

    /// <summary>Cells the state holds.</summary>
    public int CellCount => Positions.Length;

    /// <summary>
    /// A layer's K or V data: its header at <paramref name="HeaderOffset"/>, then <paramref name="Columns"/> runs of
    /// <paramref name="Unit"/> bytes per cell (one run of whole rows for K and plain V; one per embedding column for
    /// transposed V). Cell i of column j starts at <c>DataOffset + (j × cells + i) × Unit</c>.
    /// </summary>
    public readonly record struct Section(int HeaderOffset, int DataOffset, int Columns, int Unit);

    /// <summary>The layout of <paramref name="state"/>; null when it is not a state this type recognises to its last byte.</summary>
    public static SequenceStateLayout? Parse(ReadOnlySpan<byte> state)
    {
        var reader = new Reader(state);
        if (!reader.U32(out var magic) || magic != Magic || !reader.I32(out _) || !reader.U32(out var streams) || streams is 0 or > MaxStreams)
        {
            return null;
        }

        for (var s = 0; s < streams; s++)
        {
            if (!reader.U32(out var count))
            {
                return null;
            }

            if (count == 0)
            {
                continue;
            }

            // The cells are in this stream; every later stream must be empty (four zero bytes each).
            var tail = 4L * (streams - s - 1);
            var layout = ParseStream(state, reader.Offset, (int)count, state.Length - tail, (int)streams, s);
            return layout is not null && AllZero(state[(int)(state.Length - tail)..]) ? layout : null;
        }

        return reader.Offset == state.Length ? new SequenceStateLayout((int)streams, -1, [], reader.Offset, 0, 0, []) : null;
    }

    private static SequenceStateLayout? ParseStream(ReadOnlySpan<byte> state, int offset, int count, long end, int streams, int stream)
    {
        if (end < offset || (long)count * CellEntryBytes > end - offset)
        {
            return null;
        }

        var reader = new Reader(state[..(int)end], offset);
        var positions = new int[count];
        for (var i = 0; i < count; i++)
        {
            if (!reader.I32(out positions[i]) || positions[i] < 0 || !reader.U32(out var sequences) || sequences != 1 || !reader.I32(out var sequence) || sequence < 0)
            {
                return null;
            }
        }

        if (!reader.U32(out var transposed) || transposed > 1 || !reader.U32(out var layers) || layers is 0 or > MaxLayers)
        {
            return null;
        }

        var sections = new List<Section>((int)layers * 2);
        for (var l = 0; l < layers; l++)
        {
            if (ReadRows(ref reader, count) is not { } keys)
            {
                return null;
            }

            sections.Add(keys);
        }

        for (var l = 0; l < layers; l++)
        {
            var values = transposed == 1 ? ReadColumns(ref reader, count) : ReadRows(ref reader, count);
            if (values is null)
            {
                return null;
            }

            sections.Add(values.Value);
        }

        return reader.Offset == end
            ? new SequenceStateLayout(streams, stream, positions, offset, transposed, layers, [.. sections])
            : null;
    }

    // A section of whole rows: type (i32), row size (u64), a row per cell.
    private static Section? ReadRows(ref Reader reader, int count)
    {
        var header = reader.Offset;
        if (!reader.I32(out _) || !reader.U64(out var rowSize) || rowSize is 0 or > int.MaxValue || !reader.Skip((long)rowSize * count))
        {
            return null;
        }

        return new Section(header, header + SectionHeaderBytes, 1, (int)rowSize);
    }

    // A transposed V section: type (i32), element size (u32), columns (u32), then per column an element per cell.
    private static Section? ReadColumns(ref Reader reader, int count)
    {
        var header = reader.Offset;
        if (!reader.I32(out _) || !reader.U32(out var element) || element is 0 or > 64 || !reader.U32(out var columns) || columns is 0 or > 1 << 20
            || !reader.Skip((long)element * columns * count))
        {
            return null;
        }

        return new Section(header, header + SectionHeaderBytes, (int)columns, (int)element);
    }

    private static bool AllZero(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExcept((byte)0);

    /// <summary>Reads little-endian values within a span, refusing to run past its end.</summary>
    private ref struct Reader(ReadOnlySpan<byte> bytes, int offset = 0)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public int Offset { get; private set; } = offset;

        public bool U32(out uint value)
        {
            value = 0;
            if (_bytes.Length - Offset < 4)
            {
                return false;
            }

            value = BinaryPrimitives.ReadUInt32LittleEndian(_bytes[Offset..]);
            Offset += 4;
            return true;
        }

        public bool I32(out int value)
        {
            var read = U32(out var raw);
            value = (int)raw;
            return read;
        }

        public bool U64(out ulong value)
        {
            value = 0;
            if (_bytes.Length - Offset < 8)
            {
                return false;
            }

            value = BinaryPrimitives.ReadUInt64LittleEndian(_bytes[Offset..]);
            Offset += 8;
            return true;
        }

        public bool Skip(long count)
        {
            if (count < 0 || count > _bytes.Length - Offset)
            {
                return false;
            }

            Offset += (int)count;
            return true;
        }
    }
}
