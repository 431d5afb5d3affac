namespace Frugal.Inference;

/// <summary>
/// The token ids the model generated for its recent replies, keyed by their owner (the user they were generated
/// for) and the reply's exact text, bounded in bytes (least recently used first out). Thread-safe.
/// </summary>
/// <remarks>
/// A reply's text usually tokenizes differently from the ids the model produced (always with random
/// weights, often with real ones). When the reply comes back as history in the next prompt, spelling it
/// with the generated ids keeps the KV state of the previous turn matching the new prompt, so only the new
/// user message is evaluated instead of the whole previous reply. The ids always decode to exactly the
/// key, so they are a valid spelling of that text whatever the conversation. They are only used for their owner's
/// prompts: another user's prompt spelt differently would tell them (by its token count) that this text was a reply here.
/// </remarks>
internal sealed class ReplyTokenMemory(long budgetBytes)
{
    /// <summary>Default budget: ample for hundreds of replies, negligible next to one KV state.</summary>
    public const long DefaultBudgetBytes = 2L * 1024 * 1024;

    private readonly ByteBudgetLru<(string Owner, string Text), int[]> _entries = new(budgetBytes);

    /// <summary>Bytes held now (text as UTF-16 plus ids).</summary>
    public long Bytes => _entries.Bytes;

    /// <summary>Remembers that <paramref name="ids"/> decode to <paramref name="text"/> (the caller checked it), a reply for <paramref name="owner"/>.</summary>
    public void Remember(string? owner, string text, int[] ids)
    {
        var size = 64 + (2L * text.Length) + (4L * ids.Length);
        if (text.Length == 0 || ids.Length == 0 || size > budgetBytes)
        {
            return; // nothing to remember, or too long to: what was remembered for the text stays
        }

        _entries.Put((owner ?? "", text), ids, size);
    }

    /// <summary>The generated ids of a reply for <paramref name="owner"/> whose text is exactly <paramref name="text"/>, if remembered.</summary>
    public int[]? Find(string? owner, string text) => _entries.TryGet((owner ?? "", text), out var ids) ? ids : null;
}
