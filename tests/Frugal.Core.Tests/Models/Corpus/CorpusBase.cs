using System.Buffers.Binary;
using System.Text;
using Frugal.Models;

namespace Frugal.Tests.Models.Corpus;

/// <summary>
/// A complete tiny model written by our own writer (<see cref="ModelSynthesizer"/>), the file every corpus case
/// starts from: byte-level cases change one named field of it (located by <see cref="GgufLayout"/>), metadata-level
/// cases write it again through <see cref="GgufWriter"/> with some keys changed, added or left out.
/// </summary>
internal sealed class CorpusBase
{
    /// <summary>Marks a key to leave out in <see cref="Rewrite"/>.</summary>
    public static readonly GgufValue Removed = GgufValue.FromString("\0removed");

    private readonly string _path;
    private readonly byte[] _bytes;

    private CorpusBase(string path, int alignment)
    {
        _path = path;
        if (alignment != 32)
        {
            var aligned = path + $".{alignment}";
            Write(path, aligned, [], alignment, tensors => tensors);
            _path = aligned;
        }

        _bytes = File.ReadAllBytes(_path);
        Layout = GgufLayout.Of(_bytes);
    }

    public GgufLayout Layout { get; }

    /// <summary>The tiny model (Q8_0 weights, F32 norms, built-in vocabulary), written once per process.</summary>
    public static CorpusBase Tiny => TinyBase.Value;

    /// <summary>The same model written with data aligned to 64 bytes: its header has <c>general.alignment</c>.</summary>
    public static CorpusBase Aligned64 => Aligned64Base.Value;

    private static Lazy<string> TinyFile { get; } = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("frugal-corpus-").FullName, "tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        return path;
    });

    private static Lazy<CorpusBase> TinyBase { get; } = new(() => new CorpusBase(TinyFile.Value, 32));

    private static Lazy<CorpusBase> Aligned64Base { get; } = new(() => new CorpusBase(TinyFile.Value, 64));

    public byte[] Bytes() => (byte[])_bytes.Clone();

    /// <summary>A copy with the little-endian integer at <paramref name="at"/> (4 or 8 bytes wide) replaced.</summary>
    public byte[] Put32(int at, uint value)
    {
        var bytes = Bytes();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
        return bytes;
    }

    public byte[] Put64(int at, ulong value)
    {
        var bytes = Bytes();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), value);
        return bytes;
    }

    /// <summary>A copy with ASCII <paramref name="text"/> written over the bytes at <paramref name="at"/>.</summary>
    public byte[] Overwrite(int at, string text)
    {
        var bytes = Bytes();
        Encoding.ASCII.GetBytes(text).CopyTo(bytes, at);
        return bytes;
    }

    public byte[] Cut(int length) => _bytes[..length];

    public ulong Read64(int at) => BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan(at));

    public uint Read32(int at) => BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(at));

    /// <summary>The model written again by <see cref="GgufWriter"/> with <paramref name="changes"/> (set, added, or <see cref="Removed"/>).</summary>
    public byte[] Rewrite(params (string Key, GgufValue Value)[] changes) => RewriteTensors(tensors => tensors, changes);

    /// <summary>The model written again with its tensor list edited by <paramref name="edit"/>, and metadata <paramref name="changes"/>.</summary>
    public byte[] RewriteTensors(Func<IReadOnlyList<CorpusTensor>, IEnumerable<CorpusTensor>> edit, params (string Key, GgufValue Value)[] changes)
    {
        var path = Path.Combine(Path.GetDirectoryName(_path)!, $"rewrite-{Guid.NewGuid():N}.gguf");
        try
        {
            Write(_path, path, changes, 32, edit);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Write(string source, string destination, (string Key, GgufValue Value)[] changes, int alignment,
        Func<IReadOnlyList<CorpusTensor>, IEnumerable<CorpusTensor>> edit)
    {
        var file = GgufReader.Read(source);
        var writer = new GgufWriter(alignment, file.Version);
        var changed = changes.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        var added = changes.Where(c => !file.Metadata.ContainsKey(c.Key)).Select(c => KeyValuePair.Create(c.Key, c.Value));
        foreach (var (key, original) in file.MetadataEntries.Concat(added))
        {
            var value = changed.GetValueOrDefault(key, original);
            if (key != "general.alignment" && !ReferenceEquals(value, Removed))
            {
                writer.Set(key, value);
            }
        }

        var bytes = File.ReadAllBytes(source);
        var tensors = file.Tensors.Select(t => new CorpusTensor(t.Name, t.Type, [.. t.Dimensions], bytes.AsMemory((int)(file.DataOffset + t.Offset), (int)t.ByteSize))).ToList();
        foreach (var t in edit(tensors))
        {
            writer.AddTensor(t.Name, t.Type, t.Dimensions, t.Data);
        }

        writer.WriteTo(destination);
    }
}
