namespace Frugal.Bench;

/// <summary>
/// The long-chat phase's figures: <c>after_full_over_before</c> is the worst time to first token from the turn the
/// context filled on, over the median of the four turns before it (for the interleaving sessions: the worst of any
/// session over the median of all their turns before their fill). 0 when the context never filled.
/// </summary>
/// <param name="Single">One session alone.</param>
/// <param name="Interleaved">The sessions that took turns.</param>
public sealed record LongChatFigures(IReadOnlyList<LongChatSession> Single, IReadOnlyList<LongChatSession> Interleaved)
{
    /// <summary><c>after_full_over_before</c> of the session alone.</summary>
    public double SingleRatio => Ratio(Single);

    /// <summary><c>after_full_over_before</c> of the interleaving sessions.</summary>
    public double InterleavedRatio => Ratio(Interleaved);

    private static double Ratio(IReadOnlyList<LongChatSession> sessions)
    {
        var before = sessions.SelectMany(s => s.BeforeFull).ToList();
        var after = sessions.SelectMany(s => s.AfterFull).ToList();
        return before.Count == 0 || after.Count == 0 ? 0 : after.Max() / BenchRunner.Median(before);
    }
}
