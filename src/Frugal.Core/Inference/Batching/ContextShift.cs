using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Frugal.Inference.Batching;

/// <summary>
/// Keeps a session's KV cells when its history window dropped old turns: the slot holds S + D + R (the prompt's
/// beginning, the dropped turns, the kept ones) and the new prompt is S + R + N. The cells of D are removed and
/// those of R moved down by |D| positions (llama.cpp re-applies RoPE to their keys at the next decode, its
/// K-shift), so only N is evaluated. The kept cells were computed while D was still visible: the cache is not
/// token-identical to evaluating S + R from scratch, only close to it, as with llama.cpp's own context shift.
/// </summary>
internal sealed class ContextShift(SafeLLamaContextHandle context, EngineOptions options, ILogger logger)
{
    /// <summary>
    /// A shift is worth its K-shift pass only when it keeps at least this many tokens beyond the common prefix
    /// (a shorter match is more likely chance than the same turns).
    /// </summary>
    public const int MinKeptTokens = 16;

    private readonly bool _canShift = context.MemoryCanShift;

    /// <summary>True when shifts are on and llama.cpp can shift this model's cache.</summary>
    public bool Enabled => options.ContextShift && _canShift;

    /// <summary>
    /// Tokens of <paramref name="prompt"/> the slot's cells can serve: the common prefix, plus the kept turns a
    /// shift would keep.
    /// </summary>
    public int Reusable(IReadOnlyList<int> held, IReadOnlyList<int> prompt) =>
        Enabled && Find(held, prompt) is { } plan ? plan.Prefix + plan.Kept : TokenPrefix.Common(held, prompt);

    /// <summary>
    /// The shift that makes <paramref name="held"/> agree with the longest beginning of <paramref name="prompt"/>:
    /// after their common prefix, the run of held tokens that continues the prompt to the end of what is held.
    /// Null when the prefix already covers one of them or no such run of <see cref="MinKeptTokens"/> exists.
    /// </summary>
    public static ShiftPlan? Find(IReadOnlyList<int> held, IReadOnlyList<int> prompt)
    {
        var prefix = TokenPrefix.Common(held, prompt);
        if (prefix == 0 || prefix >= held.Count || prefix >= prompt.Count)
        {
            return null;
        }

        var first = prompt[prefix];
        ShiftPlan? best = null;
        for (var at = prefix + 1; at < held.Count; at++)
        {
            if (held[at] != first)
            {
                continue;
            }

            var kept = 1;
            while (at + kept < held.Count && prefix + kept < prompt.Count && held[at + kept] == prompt[prefix + kept])
            {
                kept++;
            }

            // Only a run that goes on to the end of the held tokens is kept turns: the turns after the dropped
            // ones and the last reply. A run that stops earlier means the history changed in between (an edited
            // message, a reply spelled anew), and its cells were computed with what came before it.
            if (kept >= MinKeptTokens && at + kept == held.Count)
            {
                best = new ShiftPlan(prefix, at - prefix, kept);
                break;
            }
        }

        return best;
    }

    /// <summary>
    /// Shifts <paramref name="slot"/>'s cells to agree with <paramref name="prompt"/> when its session's window
    /// dropped turns. Returns the cells removed (0: no shift). When a shift would help but is off or impossible,
    /// says so and leaves the slot for the caller to trim and re-evaluate.
    /// </summary>
    public int Apply(SequenceSlot slot, IReadOnlyList<int> prompt)
    {
        if (Find(slot.Held, prompt) is not { } plan)
        {
            return 0;
        }

        if (!Enabled)
        {
            EngineLog.ShiftUnavailable(logger, slot.Session ?? "(none)", plan.Kept,
                options.ContextShift ? "llama.cpp cannot shift this model's cache" : "context shift is off");
            return 0;
        }

        var (prefix, dropped, kept) = plan;
        var end = prefix + dropped + kept;
        context.MemorySequenceRemove(slot.Id, end, -1);
        context.MemorySequenceRemove(slot.Id, prefix, prefix + dropped);
        context.MemorySequenceAdd(slot.Id, prefix + dropped, end, -dropped);
        slot.Held.RemoveRange(end, slot.Held.Count - end);
        slot.Held.RemoveRange(prefix, dropped);
        EngineLog.Shifted(logger, slot.Session ?? "(none)", dropped, prefix, kept);
        return dropped;
    }

    /// <summary>A shift: keep <paramref name="Prefix"/> cells, remove the next <paramref name="Dropped"/>, move the next <paramref name="Kept"/> down.</summary>
    public readonly record struct ShiftPlan(int Prefix, int Dropped, int Kept);
}
