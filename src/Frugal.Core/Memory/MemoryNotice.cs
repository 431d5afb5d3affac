using System.Globalization;

namespace Frugal.Memory;

/// <summary>
/// What the memory governor did to one admitted request: the pressure level it was admitted at and
/// what that level cut from it, so the response can say so. Only cuts that changed this request are
/// set (a reply cap above the requested <c>max_tokens</c> is not a cut).
/// </summary>
public sealed record MemoryNotice
{
    /// <summary>A notice for a request admitted at <see cref="MemoryPressureLevel.Low"/> with nothing cut.</summary>
    public static MemoryNotice Unrestricted { get; } = new() { Level = MemoryPressureLevel.Low };

    /// <summary>The pressure level when the request was admitted.</summary>
    public required MemoryPressureLevel Level { get; init; }

    /// <summary>The level as written on the wire: "low", "medium", "high", "critical".</summary>
    public string LevelName => Level.ToString().ToLowerInvariant();

    /// <summary>The reply cap that lowered this request's <c>max_tokens</c>, or null when it was not lowered.</summary>
    public int? ReplyTokenCap { get; init; }

    /// <summary>The <c>max_tokens</c> the request asked for, when <see cref="ReplyTokenCap"/> lowered it.</summary>
    public int? RequestedMaxTokens { get; init; }

    /// <summary>The exchanges of history kept, when the trim left messages out.</summary>
    public int? HistoryExchanges { get; init; }

    /// <summary>Messages of history the trim left out of the prompt (0: none).</summary>
    public int DroppedMessages { get; init; }

    /// <summary>True when pressure changed this request.</summary>
    public bool Restricted => ReplyTokenCap is not null || DroppedMessages > 0;

    /// <summary>What was cut, as sentences for the response (empty when nothing was).</summary>
    public IReadOnlyList<string> Describe()
    {
        var list = new List<string>(2);
        if (ReplyTokenCap is { } cap)
        {
            list.Add(string.Create(CultureInfo.InvariantCulture,
                $"max_tokens capped at {cap} by memory pressure {LevelName} (asked {RequestedMaxTokens})"));
        }

        if (DroppedMessages > 0)
        {
            list.Add(string.Create(CultureInfo.InvariantCulture,
                $"history trimmed to the last {HistoryExchanges} exchanges by memory pressure {LevelName} ({DroppedMessages} earlier messages left out)"));
        }

        return list;
    }

    /// <summary>The kinds of cut as short names ("max_tokens", "history"), for a header.</summary>
    public IReadOnlyList<string> Kinds()
    {
        var list = new List<string>(2);
        if (ReplyTokenCap is not null)
        {
            list.Add("max_tokens");
        }

        if (DroppedMessages > 0)
        {
            list.Add("history");
        }

        return list;
    }
}
