using System.Globalization;
using Frugal.Models;

namespace Frugal.Inference;

/// <summary>
/// What a repacked load gave back of the model file's pages its repacked weights were read from
/// (<see cref="EngineOptions.ReleaseRepackedPages"/>). llama.cpp reads those matrices once from its mapping of the file
/// into its repacked buffer and never again, but their pages stay mapped and cached — TinyLlama Q4_K_M: 455 of its 636
/// MiB — and a memory cgroup counts them until the kernel reclaims them. The engine unmaps them from llama.cpp's mapping
/// and drops them from the page cache right after the load, whole pages holding nothing else only: a page that also
/// holds a mapped tensor would be read again at the next token.
/// </summary>
/// <param name="RepackedBytes">Bytes of the weights llama.cpp repacked (<see cref="RepackedWeights.Bytes"/>).</param>
/// <param name="RangeBytes">Bytes of the file given back: the runs of repacked tensors trimmed inward to <paramref name="PageBytes"/>.</param>
/// <param name="ReleasedBytes">Bytes of those ranges that were in the page cache before and are not after.</param>
/// <param name="PageBytes">The unit the ranges were trimmed to: 2 MiB where llama.cpp's mapping maps the file in huge pages
/// (a large folio is dropped only whole), else the base page.</param>
public sealed record RepackedPageRelease(long RepackedBytes, long RangeBytes, long ReleasedBytes, long PageBytes)
{
    /// <summary>Nothing released: the load repacked nothing, or releasing is off.</summary>
    public static RepackedPageRelease None { get; } = new(0, 0, 0, 0);

    /// <summary>
    /// Releases the pages of <paramref name="pinned"/>'s repacked weights (the file llama.cpp has just loaded with
    /// repacking), trimmed to 2 MiB when <paramref name="hugePages"/> (llama.cpp's mapping maps the file in 2 MiB pages).
    /// </summary>
    public static RepackedPageRelease Run(PinnedModelFile pinned, bool hugePages)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        var pageBytes = hugePages ? PageCache.HugePageBytes : Environment.SystemPageSize;
        var ranges = RepackedWeights.FileRanges(pinned.File, RepackedWeights.LlamaCppTypes, pageBytes);
        var released = PageCache.Release(pinned.Handle, PageCache.MappedName(pinned.Handle), ranges);
        return new RepackedPageRelease(RepackedWeights.Bytes(pinned.File, RepackedWeights.LlamaCppTypes), ranges.Sum(r => r.Length), released, pageBytes);
    }

    /// <summary>One line for the log: "repacked weights' file pages released: 388 MiB of the 455 MiB repacked (...)".</summary>
    public string Describe()
    {
        static long Mib(long bytes) => bytes >> 20;
        var unit = PageBytes >= PageCache.HugePageBytes ? "2 MiB pages" : "pages";
        var uncached = Mib(RangeBytes - ReleasedBytes);
        return string.Create(CultureInfo.InvariantCulture,
            $"repacked weights' file pages released: {Mib(ReleasedBytes)} MiB of the {Mib(RepackedBytes)} MiB repacked (the rest share {unit} with mapped weights")
            + (uncached > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {uncached} MiB of those pages stayed: not cached, in large folios that also hold mapped weights, or mapped by another process)") : ")");
    }
}
