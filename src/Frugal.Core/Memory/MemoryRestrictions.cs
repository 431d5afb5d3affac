namespace Frugal.Memory;

/// <summary>What the current pressure level restricts for new requests.</summary>
public sealed record MemoryRestrictions
{
    /// <summary>No restriction.</summary>
    public static MemoryRestrictions None { get; } = new();

    /// <summary>The most tokens a new reply may have, or null for no cap.</summary>
    public int? ReplyTokenCap { get; init; }

    /// <summary>How many user/assistant exchanges of history a request keeps, or null for all that fit.</summary>
    public int? HistoryExchanges { get; init; }

    /// <summary>The share of the normal queue depth that is accepted (1 = all).</summary>
    public double QueueDepthFactor { get; init; } = 1;

    /// <summary>True in emergency mode: new generations are refused.</summary>
    public bool RefuseNewGenerations { get; init; }

    /// <summary>True when anything is restricted.</summary>
    public bool Any => ReplyTokenCap is not null || HistoryExchanges is not null || QueueDepthFactor < 1 || RefuseNewGenerations;

    /// <summary>The restrictions as short names for <c>/status</c> and logs ("reply_tokens_cap=128", ...).</summary>
    public IReadOnlyList<string> Describe()
    {
        var list = new List<string>();
        if (RefuseNewGenerations)
        {
            list.Add("new_generations_refused");
        }

        if (ReplyTokenCap is { } cap)
        {
            list.Add(FormattableString.Invariant($"reply_tokens_cap={cap}"));
        }

        if (HistoryExchanges is { } exchanges)
        {
            list.Add(FormattableString.Invariant($"history_exchanges={exchanges}"));
        }

        if (QueueDepthFactor < 1)
        {
            list.Add(FormattableString.Invariant($"queue_depth_factor={QueueDepthFactor:0.##}"));
        }

        return list;
    }

    /// <summary>The restrictions that apply at <paramref name="level"/>.</summary>
    public static MemoryRestrictions For(MemoryPressureLevel level, MemoryGovernorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return level switch
        {
            MemoryPressureLevel.High => new()
            {
                ReplyTokenCap = options.ReplyTokenCap,
                HistoryExchanges = options.HistoryExchanges,
                QueueDepthFactor = options.QueueDepthFactor,
            },
            MemoryPressureLevel.Critical => new()
            {
                ReplyTokenCap = options.ReplyTokenCap,
                HistoryExchanges = options.HistoryExchanges,
                QueueDepthFactor = options.QueueDepthFactor,
                RefuseNewGenerations = true,
            },
            _ => None,
        };
    }
}
