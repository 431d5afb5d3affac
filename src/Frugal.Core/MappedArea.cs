using System.Globalization;

namespace Frugal;

/// <summary>One area of <c>/proc/self/smaps</c>: its addresses, the file it maps, and its resident and 2 MiB-page bytes.</summary>
/// <param name="Start">First address.</param>
/// <param name="End">One past the last address.</param>
/// <param name="Path">The mapped file as the kernel names it ("" for anonymous memory).</param>
/// <param name="Resident">Resident bytes (<c>Rss</c>).</param>
/// <param name="Huge">Bytes of a file mapped in 2 MiB pages (<c>FilePmdMapped</c>).</param>
internal sealed record MappedArea(nint Start, nint End, string Path, long Resident, long Huge)
{
    /// <summary>The offset in the file that <see cref="Start"/> maps (0 for anonymous memory).</summary>
    public long Offset { get; init; }

    /// <summary>Bytes of anonymous memory in 2 MiB pages (<c>AnonHugePages</c>).</summary>
    public long AnonymousHuge { get; init; }

    /// <summary>Whether the area was advised <c>MADV_HUGEPAGE</c> (<c>hg</c> among its <c>VmFlags</c>).</summary>
    public bool AdvisedHuge { get; init; }

    /// <summary>The area an smaps header line ("start-end perms offset dev inode [path]") opens; null for a field line.</summary>
    public static MappedArea? TryParseHeader(string line)
    {
        var dash = line.IndexOf('-', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (dash <= 0 || space <= dash
            || !long.TryParse(line.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end))
        {
            return null;
        }

        // perms, offset, device, inode, then the path (which may hold spaces) after the padding.
        var rest = line.AsSpan(space + 1);
        long offset = 0;
        for (var field = 0; field < 4; field++)
        {
            var next = rest.IndexOf(' ');
            if (next < 0 || (field == 1 && !long.TryParse(rest[..next], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out offset)))
            {
                return null;
            }

            rest = rest[(next + 1)..];
        }

        return new MappedArea((nint)start, (nint)end, rest.Trim().ToString(), 0, 0) { Offset = offset };
    }

    /// <summary>
    /// This area with a field line ("Rss:   4 kB", "FilePmdMapped:   2048 kB", "AnonHugePages:   2048 kB",
    /// "VmFlags: rd wr mr mw me ac hg") taken in; other lines leave it as it is.
    /// </summary>
    public MappedArea WithField(string line)
    {
        if (Kilobytes(line, "Rss:") is { } rss)
        {
            return this with { Resident = rss };
        }

        if (Kilobytes(line, "AnonHugePages:") is { } anonymous)
        {
            return this with { AnonymousHuge = anonymous };
        }

        if (line.StartsWith("VmFlags:", StringComparison.Ordinal))
        {
            return this with { AdvisedHuge = line.AsSpan("VmFlags:".Length).Trim().ToString().Split(' ').Contains("hg") };
        }

        return Kilobytes(line, "FilePmdMapped:") is { } huge ? this with { Huge = huge } : this;
    }

    private static long? Kilobytes(string line, string key)
    {
        if (!line.StartsWith(key, StringComparison.Ordinal))
        {
            return null;
        }

        var value = line.AsSpan(key.Length).Trim();
        if (value.EndsWith(" kB", StringComparison.Ordinal))
        {
            value = value[..^3];
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null;
    }
}
