using System.Globalization;
using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Bench;

/// <summary>
/// What the bandwidth ceiling reads in a pass: the parts of the model file a decoded token reads through the file's
/// mapping, and the bytes it reads from anonymous memory instead — the copy llama.cpp repacks some matrices into at load
/// (<see cref="RepackedWeights"/>). Without repacking that is all the tensor data, mapped. With it, the file's repacked
/// matrices are left out (the engine gives their pages back after the load: <see cref="RepackedPageRelease"/>; reading
/// them would cache them again, in small pages) and their bytes are read from an anonymous buffer instead.
/// </summary>
/// <param name="MappedRanges">Parts of the file (offsets in it) read through its mapping, in file order.</param>
/// <param name="AnonymousBytes">Bytes read from anonymous memory: the repacked weights' size, 0 without repacking.</param>
public sealed record CeilingReads(IReadOnlyList<(long Offset, long Length)> MappedRanges, long AnonymousBytes)
{
    /// <summary>Nothing said about the reads (a ceiling made by hand).</summary>
    public static CeilingReads None { get; } = new([], 0);

    /// <summary>Bytes of the file read through its mapping.</summary>
    public long MappedBytes => MappedRanges.Sum(r => r.Length);

    /// <summary>Bytes read in a pass, mapped and anonymous.</summary>
    public long TotalBytes => MappedBytes + AnonymousBytes;

    /// <summary>
    /// What was read, for a report: "the mapped model file", or with repacking "the mapped model file's tensors not
    /// repacked (181 MiB) and an anonymous copy of the repacked ones (455 MiB)".
    /// </summary>
    public string Describe() => AnonymousBytes == 0
        ? "the mapped model file"
        : string.Create(CultureInfo.InvariantCulture,
            $"the mapped model file's tensors not repacked ({MappedBytes >> 20} MiB) and an anonymous copy of the repacked ones ({AnonymousBytes >> 20} MiB)");

    /// <summary>
    /// The reads of <paramref name="file"/>'s decode when the engine loaded it with repacking (<paramref name="repacked"/>,
    /// <see cref="ModelInfo.RepackedTensorBytes"/> above 0) or without: each run of tensors read from the mapping with no
    /// repacked tensor between them (one run of all of them without repacking), and the repacked tensors' bytes.
    /// </summary>
    public static CeilingReads Of(GgufFile file, bool repacked)
    {
        ArgumentNullException.ThrowIfNull(file);
        var types = repacked ? RepackedWeights.LlamaCppTypes : new HashSet<GgmlType>();
        return new CeilingReads(RepackedWeights.MappedRanges(file, types), RepackedWeights.Bytes(file, types));
    }
}
