using System.Text;

namespace Frugal.Inference;

/// <summary>
/// Watches streamed text for stop strings. Text that could still turn out to be the start of a stop
/// string is held back until it cannot, so a stop string is never emitted, not even in part.
/// </summary>
internal sealed class StopStringFilter
{
    private readonly string[] _stops;
    private readonly StringBuilder _pending = new();

    public StopStringFilter(IEnumerable<string> stops) =>
        _stops = stops.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>True once a stop string has been seen; later text is ignored.</summary>
    public bool Stopped => Matched is not null;

    /// <summary>The stop string that was seen (the earliest in the text); null until one is.</summary>
    public string? Matched { get; private set; }

    /// <summary>Adds decoded text; returns the part that is now safe to emit (possibly empty).</summary>
    public string Push(string text)
    {
        if (Stopped || text.Length == 0)
        {
            return "";
        }

        _pending.Append(text);
        var pending = _pending.ToString();

        var cut = -1;
        string? matched = null;
        foreach (var stop in _stops)
        {
            var at = pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (cut < 0 || at < cut))
            {
                (cut, matched) = (at, stop);
            }
        }

        if (cut >= 0)
        {
            Matched = matched;
            _pending.Clear();
            return pending[..cut];
        }

        var hold = HeldBack(pending);
        _pending.Clear().Append(pending, pending.Length - hold, hold);
        return pending[..^hold];
    }

    /// <summary>Ends the stream: text held back as a possible stop-string start is emitted after all.</summary>
    public string Flush()
    {
        if (Stopped)
        {
            return "";
        }

        var rest = _pending.ToString();
        _pending.Clear();
        return rest;
    }

    /// <summary>Length of the longest tail of <paramref name="text"/> that is a proper prefix of a stop string.</summary>
    private int HeldBack(string text)
    {
        var longest = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, text.Length); length > longest; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest;
    }
}
