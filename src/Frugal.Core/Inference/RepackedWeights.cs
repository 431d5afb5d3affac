using Frugal.Models;

namespace Frugal.Inference;

/// <summary>
/// Which of a file's weights llama.cpp copies into its repacked CPU layouts at load when repacking is on
/// (<see cref="EngineOptions.RepackWeights"/>): their anonymous copy is what the engine computes with, and their pages in
/// the mapped file go unused after the load (the page cache may drop them) — so the weights that must stay resident are
/// the repacked copy plus the mapped rest, not both.
/// </summary>
public static class RepackedWeights
{
    /// <summary>
    /// The types llama.cpp b10361 repacks on an x86 CPU with AVX2 (<c>ggml_repack_get_optimal_repack_type</c>: Q4_0 eight
    /// rows at a time, Q4_K and IQ4_NL likewise) — the CPUs Frugal's linux-x64 builds run on.
    /// </summary>
    public static readonly IReadOnlySet<GgmlType> LlamaCppTypes = new HashSet<GgmlType> { GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.IQ4_NL };

    /// <summary>
    /// Bytes of <paramref name="file"/>'s tensors that llama.cpp repacks: matrices of one of <paramref name="types"/>
    /// whose rows come in groups of eight, but not the token embedding (looked up row by row, which the repacked buffer
    /// does not do, so it stays mapped).
    /// </summary>
    public static long Bytes(GgufFile file, IReadOnlySet<GgmlType> types)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(types);
        return file.Tensors.Where(t => types.Contains(t.Type) && t.Dimensions.Count == 2 && t.Dimensions[1] % 8 == 0 && t.Name != "token_embd.weight")
            .Sum(t => t.ByteSize);
    }
}
