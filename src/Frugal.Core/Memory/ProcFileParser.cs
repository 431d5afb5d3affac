using System.Globalization;

namespace Frugal.Memory;

/// <summary>Parses the line formats of cgroup and <c>/proc</c> files.</summary>
internal static class ProcFileParser
{
    /// <summary>
    /// Finds <paramref name="key"/> in "key value" lines (memory.stat) or "Key:   value kB" lines
    /// (/proc/meminfo, /proc/self/status); a "kB" suffix is converted to bytes.
    /// </summary>
    public static long? FindValue(string? text, string key)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (!line.StartsWith(key, StringComparison.Ordinal) || line.Length == key.Length)
            {
                continue;
            }

            var rest = line[key.Length..];
            if (rest[0] == ':')
            {
                rest = rest[1..];
            }
            else if (!char.IsWhiteSpace(rest[0]))
            {
                continue; // "rss_huge" when looking for "rss"
            }

            rest = rest.Trim();
            var multiplier = 1L;
            if (rest.EndsWith("kB", StringComparison.Ordinal))
            {
                multiplier = 1024;
                rest = rest[..^2].TrimEnd();
            }

            return long.TryParse(rest, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value * multiplier
                : null;
        }

        return null;
    }

    /// <summary>Parses a file holding one number; "max" (cgroup v2) and absurdly large values (cgroup v1's unlimited) give null.</summary>
    public static long? ParseLimit(string? text)
    {
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value) || value == "max")
        {
            return null;
        }

        // cgroup v1 writes "unlimited" as LONG_MAX rounded down to a page (9223372036854771712).
        return AsLimit(ParseNumber(value));
    }

    /// <summary>A limit, or null when it is absent or cgroup v1's "unlimited".</summary>
    public static long? AsLimit(long? value) => value is { } number && number < UnlimitedFloor ? number : null;

    /// <summary>Parses a file holding one non-negative number, or null.</summary>
    public static long? ParseNumber(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>Reads "some avg10=1.23 ..." / "full avg10=..." from a PSI file.</summary>
    public static double? FindPressureAvg10(string? text, string kind)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (!line.StartsWith(kind, StringComparison.Ordinal))
            {
                continue;
            }

            var start = line.IndexOf("avg10=", StringComparison.Ordinal);
            if (start < 0)
            {
                return null;
            }

            var number = line[(start + "avg10=".Length)..];
            var end = number.IndexOf(' ');
            if (end >= 0)
            {
                number = number[..end];
            }

            return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var avg) ? avg : null;
        }

        return null;
    }

    /// <summary>The major-fault count (field 12) of a /proc/PID/stat line; the command name may hold spaces and parentheses.</summary>
    public static long? ParseMajorFaultsFromStat(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        // After "pid (comm) " come: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt(12).
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 9 ? ParseNumber(fields[9]) : null;
    }

    /// <summary>Above this a cgroup v1 limit means "no limit".</summary>
    internal const long UnlimitedFloor = 1L << 60;
}
