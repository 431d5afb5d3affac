using Frugal.Inference;

namespace Frugal.Bench;

/// <summary>One long-chat session's figures, turn by turn.</summary>
public sealed class LongChatSession
{
    private readonly List<double> _ttft = [];
    private readonly List<int> _evaluated = [];
    private readonly List<int> _omitted = [];
    private readonly List<int> _shifted = [];

    /// <summary>Time to first token per turn.</summary>
    public IReadOnlyList<double> TtftMs => _ttft;

    /// <summary>Prompt tokens evaluated per turn (not served from the kept KV state).</summary>
    public IReadOnlyList<int> EvaluatedTokens => _evaluated;

    /// <summary>Messages the history window left out per turn.</summary>
    public IReadOnlyList<int> OmittedMessages => _omitted;

    /// <summary>KV cells a context shift removed per turn (0: none).</summary>
    public IReadOnlyList<int> ShiftedOutTokens => _shifted;

    /// <summary>The first turn (1-based) whose history did not fit whole; 0 when the context never filled.</summary>
    public int FirstFullTurn => _omitted.FindIndex(o => o > 0) + 1;

    /// <summary>The four turns before the context filled (fewer when it filled sooner).</summary>
    public IEnumerable<double> BeforeFull => FirstFullTurn > 1 ? _ttft.Take(FirstFullTurn - 1).TakeLast(4) : [];

    /// <summary>The turns from the one where the context filled on.</summary>
    public IEnumerable<double> AfterFull => FirstFullTurn > 0 ? _ttft.Skip(FirstFullTurn - 1) : [];

    internal void Add(GenerationStats stats, int omittedMessages)
    {
        _ttft.Add(stats.TimeToFirstToken.TotalMilliseconds);
        _evaluated.Add(stats.PromptTokens - stats.CachedPromptTokens);
        _omitted.Add(omittedMessages);
        _shifted.Add(stats.ShiftedOutTokens);
    }
}
