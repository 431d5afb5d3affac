using System.Buffers.Binary;

namespace Frugal.Inference.State;

/// <summary>
/// Cuts and joins llama.cpp's states of one sequence (see <see cref="SequenceStateLayout"/>) without the context:
/// the cells from a position on as a state of their own (what a session added since its file was written, so only
/// that is appended), and several such states as one (a file's chunks, restored in one call where the context has
/// no scratch sequence to gather them in), in the stream count of the context that is to load them: a state read
/// from a one-slot context (one stream) loads into a several-slot one (a stream per sequence) and the other way round,
/// since llama.cpp puts a sequence's cells in that sequence's own stream whatever stream the state listed them under.
/// Cells keep the order the states list them in. Null whenever a state is not recognised or the parts disagree in
/// shape: the caller then writes or restores states whole.
/// </summary>
internal static class SequenceStateCut
{
    /// <summary>
    /// The cells of <paramref name="state"/> at position <paramref name="from"/> and after, as a state of their own;
    /// null also unless the state holds exactly <paramref name="from"/> + <paramref name="count"/> cells, that many after.
    /// </summary>
    public static NativeBuffer? After(ReadOnlyMemory<byte> state, int from, int count)
    {
        if (SequenceStateLayout.Parse(state.Span) is not { } layout || layout.CellCount != from + count)
        {
            return null;
        }

        var part = new Part(state, layout, Runs(layout.Positions, from));
        return part.Cells == count ? Write([part], layout.Streams) : null;
    }

    /// <summary>
    /// The cells of every state of <paramref name="states"/>, in order, as one state of a context with
    /// <paramref name="streams"/> cache streams (whatever stream counts the states were read with).
    /// </summary>
    public static NativeBuffer? Join(IReadOnlyList<ReadOnlyMemory<byte>> states, int streams)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentOutOfRangeException.ThrowIfLessThan(streams, 1);
        var parts = new List<Part>(states.Count);
        foreach (var state in states)
        {
            if (SequenceStateLayout.Parse(state.Span) is not { } layout)
            {
                return null;
            }

            parts.Add(new Part(state, layout, layout.CellCount > 0 ? [(0, layout.CellCount)] : []));
        }

        return parts.Count > 0 ? Write(parts, streams) : null;
    }

    // The runs of consecutive cells (start, count) whose position is at least `from`.
    private static (int Start, int Count)[] Runs(int[] positions, int from)
    {
        var runs = new List<(int Start, int Count)>();
        for (var i = 0; i < positions.Length; i++)
        {
            if (positions[i] < from)
            {
                continue;
            }

            if (runs.Count > 0 && runs[^1].Start + runs[^1].Count == i)
            {
                runs[^1] = (runs[^1].Start, runs[^1].Count + 1);
            }
            else
            {
                runs.Add((i, 1));
            }
        }

        return [.. runs];
    }

    private static NativeBuffer? Write(List<Part> parts, int streams)
    {
        var filled = parts.Where(p => p.Cells > 0).ToList();
        if (filled.Count > 0 && filled.Skip(1).Any(p => !SameShape(filled[0], p)))
        {
            return null;
        }

        var cells = filled.Sum(p => (long)p.Cells);
        var shape = filled.Count > 0 ? filled[0].Layout : null;

        // The cells stay under the stream the first state listed them under when the context has it, else the first.
        var stream = shape is null ? -1 : shape.Stream < streams ? shape.Stream : 0;
        var length = Length(streams, shape, cells);
        if (length > Array.MaxLength)
        {
            return null;
        }

        var buffer = NativeBuffer.Allocate(length);
        var output = buffer.GetSpan();
        var at = 0;
        Copy(parts[0].State.Span, 0, SequenceStateLayout.PrefixBytes, output, ref at);
        Put(output, ref at, (uint)streams);
        for (var s = 0; s < streams; s++)
        {
            if (shape is null || s != stream)
            {
                Put(output, ref at, 0);
                continue;
            }

            WriteCells(output, ref at, shape, filled, cells);
        }

        return at == length ? buffer : Discard(buffer);
    }

    // Bytes of a state of `streams` streams whose one filled stream (none when shape is null) holds `cells` cells.
    private static long Length(int streams, SequenceStateLayout? shape, long cells)
    {
        var length = SequenceStateLayout.PrefixBytes + 4L + (4L * streams);
        if (shape is not null)
        {
            length += (cells * SequenceStateLayout.CellEntryBytes) + 8
                + shape.Sections.Sum(s => SequenceStateLayout.SectionHeaderBytes + ((long)s.Columns * s.Unit * cells));
        }

        return length;
    }

    // The filled stream: its cell count, the parts' cell entries run by run, then each section's header and its columns,
    // every column holding the parts' runs one after another.
    private static void WriteCells(Span<byte> output, ref int at, SequenceStateLayout shape, List<Part> filled, long cells)
    {
        Put(output, ref at, (uint)cells);
        foreach (var part in filled)
        {
            foreach (var (start, count) in part.Runs)
            {
                Copy(part.State.Span, part.Layout.EntriesOffset + ((long)start * SequenceStateLayout.CellEntryBytes), (long)count * SequenceStateLayout.CellEntryBytes, output, ref at);
            }
        }

        Put(output, ref at, shape.TransposedValues);
        Put(output, ref at, shape.Layers);
        for (var k = 0; k < shape.Sections.Length; k++)
        {
            var section = shape.Sections[k];
            Copy(filled[0].State.Span, section.HeaderOffset, SequenceStateLayout.SectionHeaderBytes, output, ref at);
            for (var column = 0; column < section.Columns; column++)
            {
                foreach (var part in filled)
                {
                    var source = part.Layout.Sections[k];
                    foreach (var (start, count) in part.Runs)
                    {
                        var offset = source.DataOffset + ((((long)column * part.Layout.CellCount) + start) * source.Unit);
                        Copy(part.State.Span, offset, (long)count * source.Unit, output, ref at);
                    }
                }
            }
        }
    }

    // Two states whose cells can stand in one: the same V layout, layers, and every section's header (type, sizes).
    private static bool SameShape(Part a, Part b) =>
        a.Layout.TransposedValues == b.Layout.TransposedValues
        && a.Layout.Layers == b.Layout.Layers
        && a.Layout.Sections.Length == b.Layout.Sections.Length
        && a.Layout.Sections.Zip(b.Layout.Sections).All(pair =>
            pair.First.Columns == pair.Second.Columns && pair.First.Unit == pair.Second.Unit
            && a.State.Span.Slice(pair.First.HeaderOffset, SequenceStateLayout.SectionHeaderBytes)
                .SequenceEqual(b.State.Span.Slice(pair.Second.HeaderOffset, SequenceStateLayout.SectionHeaderBytes)));

    private static void Put(Span<byte> output, ref int at, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(output[at..], value);
        at += 4;
    }

    private static void Copy(ReadOnlySpan<byte> source, long offset, long count, Span<byte> output, ref int at)
    {
        source.Slice(checked((int)offset), checked((int)count)).CopyTo(output[at..]);
        at += (int)count;
    }

    private static NativeBuffer? Discard(NativeBuffer buffer)
    {
        ((IDisposable)buffer).Dispose();
        return null;
    }

    private sealed record Part(ReadOnlyMemory<byte> State, SequenceStateLayout Layout, (int Start, int Count)[] Runs)
    {
        public int Cells { get; } = Runs.Sum(r => r.Count);
    }
}
