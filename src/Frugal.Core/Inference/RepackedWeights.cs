using Frugal.Models;

namespace Frugal.Inference;

/// <summary>
/// Which of a file's weights llama.cpp copies into its repacked CPU layouts at load when repacking is on
/// (<see cref="EngineOptions.RepackWeights"/>): their anonymous copy is what the engine computes with, and their pages in
/// the mapped file go unused after the load (the engine gives them back: <see cref="RepackedPageRelease"/>) — so the
/// weights that must stay resident are the repacked copy plus the mapped rest, not both.
/// </summary>
public static class RepackedWeights
{
    /// <summary>
    /// The types llama.cpp b10361 repacks on an x86 CPU with AVX2 (<c>ggml_repack_get_optimal_repack_type</c>: Q4_0 eight
    /// rows at a time, Q4_K and IQ4_NL likewise) — the CPUs Frugal's linux-x64 builds run on.
    /// </summary>
    public static readonly IReadOnlySet<GgmlType> LlamaCppTypes = new HashSet<GgmlType> { GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.IQ4_NL };

    /// <summary>
    /// Whether the engine asks llama.cpp to repack <paramref name="file"/>'s weights at load: as
    /// <paramref name="repackWeights"/> (<see cref="EngineOptions.RepackWeights"/>) says, or with null (auto) as
    /// <see cref="EngineOptions.RepacksByDefault"/> decides by the file's
    /// type and matrix types with the CPU backend's <paramref name="kernels"/> (asked only then). The one decision: the
    /// engine loads by it, and the memory plan (<see cref="AtLoad"/>) counts by it before the load.
    /// </summary>
    public static bool Requested(GgufFile file, bool? repackWeights, Func<CpuKernels> kernels)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(kernels);
        return repackWeights ?? EngineOptions.RepacksByDefault(ModelInfoReader.FromFile(file).FileType,
            QuantizationFootprint.Of(file).BytesPerTokenByType.Keys.ToHashSet(), kernels);
    }

    /// <summary>
    /// Bytes the load of <paramref name="file"/> copies into anonymous memory under <paramref name="repackWeights"/> with a
    /// backend of <paramref name="kernels"/>: <see cref="Bytes"/> of <see cref="LlamaCppTypes"/> when it is
    /// <see cref="Requested"/>, else 0 (and 0 for a file with nothing llama.cpp repacks, such as Q8_0, even when asked).
    /// </summary>
    public static long AtLoad(GgufFile file, bool? repackWeights, Func<CpuKernels> kernels) =>
        Requested(file, repackWeights, kernels) ? Bytes(file, LlamaCppTypes) : 0;

    /// <summary>
    /// Bytes of <paramref name="file"/>'s tensors that llama.cpp repacks: matrices of one of <paramref name="types"/>
    /// whose rows come in groups of eight, but not the token embedding (looked up row by row, which the repacked buffer
    /// does not do, so it stays mapped).
    /// </summary>
    public static long Bytes(GgufFile file, IReadOnlySet<GgmlType> types)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(types);
        return Tensors(file, types).Sum(t => t.ByteSize);
    }

    /// <summary>The tensors of <paramref name="file"/> that <see cref="Bytes"/> counts.</summary>
    public static IEnumerable<GgufTensorInfo> Tensors(GgufFile file, IReadOnlySet<GgmlType> types)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(types);
        return file.Tensors.Where(t => IsRepacked(t, types));
    }

    /// <summary>
    /// The parts of <paramref name="file"/> (offsets in the file) that hold only tensors llama.cpp repacks (of
    /// <paramref name="types"/>, as <see cref="Bytes"/> picks them): each run of such tensors with no other tensor between
    /// them, trimmed inward to multiples of <paramref name="alignment"/> (a page, or the 2 MiB a huge page or large folio
    /// spans) so that no page of a tensor read from the mapping is in one; runs under one alignment unit are left out.
    /// In file order.
    /// </summary>
    public static IReadOnlyList<(long Offset, long Length)> FileRanges(GgufFile file, IReadOnlySet<GgmlType> types, long alignment)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(alignment);
        var ranges = new List<(long, long)>();
        foreach (var (start, length) in Runs(file, t => IsRepacked(t, types)))
        {
            AddTrimmed(ranges, start, start + length, alignment);
        }

        return ranges;
    }

    /// <summary>
    /// The parts of <paramref name="file"/> (offsets in the file) a decode reads through the mapping when llama.cpp
    /// repacks the tensors of <paramref name="types"/> (as <see cref="Bytes"/> picks them): each run of the other tensors
    /// with no repacked one between them, whole (one run of all the tensor data with no type repacked). In file order.
    /// </summary>
    public static IReadOnlyList<(long Offset, long Length)> MappedRanges(GgufFile file, IReadOnlySet<GgmlType> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        return Runs(file, t => !IsRepacked(t, types));
    }

    // Each run of tensors that select picks with no other tensor between them, from its first tensor's start to its last
    // one's end (offsets in the file), in file order.
    private static List<(long Offset, long Length)> Runs(GgufFile file, Func<GgufTensorInfo, bool> select)
    {
        ArgumentNullException.ThrowIfNull(file);
        var runs = new List<(long, long)>();
        long? runStart = null;
        long runEnd = 0;
        foreach (var tensor in file.Tensors.OrderBy(t => t.Offset))
        {
            if (select(tensor))
            {
                runStart ??= file.DataOffset + tensor.Offset;
                runEnd = file.DataOffset + tensor.Offset + tensor.ByteSize;
                continue;
            }

            if (runStart is { } start)
            {
                runs.Add((start, runEnd - start));
                runStart = null;
            }
        }

        if (runStart is { } last)
        {
            runs.Add((last, runEnd - last));
        }

        return runs;
    }

    private static void AddTrimmed(List<(long, long)> ranges, long from, long end, long alignment)
    {
        var first = (from + alignment - 1) / alignment * alignment;
        var last = end / alignment * alignment;
        if (last > first)
        {
            ranges.Add((first, last - first));
        }
    }

    // A matrix whose rows come in groups of eight, of a type repacked, but not the token embedding (looked up row by row,
    // which the repacked buffer does not do, so it stays mapped).
    private static bool IsRepacked(GgufTensorInfo tensor, IReadOnlySet<GgmlType> types) =>
        types.Contains(tensor.Type) && tensor.Dimensions.Count == 2 && tensor.Dimensions[1] % 8 == 0 && tensor.Name != "token_embd.weight";
}
