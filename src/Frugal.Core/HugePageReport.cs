using System.Globalization;

namespace Frugal;

/// <summary>What <see cref="PageCache.PrepareHugePages"/> found of a model file's pages.</summary>
public enum HugePageOutcome
{
    /// <summary>Huge pages were not asked for (<c>Model:HugePages=false</c>).</summary>
    Off,

    /// <summary>Not Linux: nothing to do.</summary>
    NotLinux,

    /// <summary>The file is smaller than two huge pages.</summary>
    TooSmall,

    /// <summary>The kernel gives this file no large folios (or huge pages are off): left as it was.</summary>
    Unsupported,

    /// <summary>Every whole 2 MiB of the file was already cached in 2 MiB pages.</summary>
    AlreadyHuge,

    /// <summary>The cache held parts of it in small pages; those were dropped and read back in large folios.</summary>
    Reread,
}

/// <summary>A model file's page-cache state before the load and what was done about it.</summary>
/// <param name="Outcome">What was found and done.</param>
/// <param name="FileBytes">The file's length.</param>
/// <param name="HugeBytesBefore">Bytes a fresh mapping mapped in 2 MiB pages before anything was done.</param>
/// <param name="HugeBytes">Bytes a fresh mapping maps in 2 MiB pages now.</param>
/// <param name="Reread">How long reading the file back in large folios took (zero when it was not).</param>
public sealed record HugePageReport(HugePageOutcome Outcome, long FileBytes, long HugeBytesBefore, long HugeBytes, TimeSpan Reread)
{
    /// <summary>Huge pages not asked for.</summary>
    public static HugePageReport Off { get; } = new(HugePageOutcome.Off, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Bytes of the file dropped and read back (whole windows of <see cref="PageCache.WindowBytes"/>).</summary>
    public long RereadBytes { get; init; }

    /// <summary>Bytes of llama.cpp's mapping of the file resident after the load (0 when not read).</summary>
    public long MappedResidentBytes { get; init; }

    /// <summary>Bytes of llama.cpp's mapping of the file in 2 MiB pages after the load.</summary>
    public long MappedHugeBytes { get; init; }

    /// <summary>
    /// Bytes of llama.cpp's repacked copy of the weights in 2 MiB pages after a repacked load with Frugal's CPU backend,
    /// which asks for them (<c>frugal_set_repacked_huge_pages</c>); null when there was no such copy or it was not asked.
    /// </summary>
    public long? RepackedHugeBytes { get; init; }

    /// <summary>One line for the log, <c>generate</c> and the bench.</summary>
    public string Describe()
    {
        static string Mib(long bytes) => (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture);
        var mapped = (MappedResidentBytes > 0 ? $"; llama.cpp maps {Mib(MappedHugeBytes)} of its {Mib(MappedResidentBytes)} resident MiB in them" : "")
            + (RepackedHugeBytes is { } repacked ? $"; its repacked copy of the weights holds {Mib(repacked)} MiB in them" : "");
        return Outcome switch
        {
            HugePageOutcome.Off => "huge pages for the weights: off",
            HugePageOutcome.NotLinux => "huge pages for the weights: not on this system",
            HugePageOutcome.TooSmall => $"huge pages for the weights: the file ({Mib(FileBytes)} MiB) is under two huge pages",
            HugePageOutcome.Unsupported => $"huge pages for the weights: this kernel gives the file no large folios ({Mib(HugeBytes)} of {Mib(FileBytes)} MiB in 2 MiB pages){mapped}",
            HugePageOutcome.AlreadyHuge => $"huge pages for the weights: {Mib(HugeBytes)} of {Mib(FileBytes)} MiB cached in 2 MiB pages{mapped}",
            _ => string.Create(CultureInfo.InvariantCulture,
                $"huge pages for the weights: the cache held {Mib(HugeBytesBefore)} of {Mib(FileBytes)} MiB in 2 MiB pages; {Mib(RereadBytes)} MiB read back in {Reread.TotalSeconds:F1} s, now {Mib(HugeBytes)}{mapped}"),
        };
    }
}
