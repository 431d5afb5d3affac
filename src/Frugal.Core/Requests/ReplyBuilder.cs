using System.Text;
using Frugal.Inference;
using Frugal.Scheduling;

namespace Frugal.Requests;

/// <summary>
/// The one way a stream of <see cref="ChatUpdate"/>s becomes a reply: its text, its figures, what admission
/// said and where it first stood in the queue. Feed it every update (<see cref="Add"/>) or let
/// <see cref="CollectAsync(IAsyncEnumerator{ChatUpdate}, CancellationToken)"/> read the stream to its end.
/// </summary>
public sealed class ReplyBuilder
{
    private readonly StringBuilder _text = new();
    private List<TokenLogprob>? _logprobs;

    /// <summary>What admission decided, once seen.</summary>
    public ChatAdmission? Admission { get; private set; }

    /// <summary>The first queue position seen (0: a worker was free).</summary>
    public int FirstQueuePosition { get; private set; }

    /// <summary>The generation's figures, once it completed.</summary>
    public GenerationStats? Stats { get; private set; }

    /// <summary>How the engine placed the prompt, once seen (also when the reply never completed).</summary>
    public PromptFigures? Prompt { get; private set; }

    /// <summary>
    /// True when the reply was generated after a context shift: from its figures, or, for a reply that never completed
    /// (its reader went away), from how the prompt was placed.
    /// </summary>
    public bool ContextShifted => (Stats?.ShiftedOutTokens ?? Prompt?.ShiftedOutTokens ?? 0) > 0;

    /// <summary>The text so far.</summary>
    public string Text => _text.ToString();

    /// <summary>The log probabilities of the reply's tokens so far, when the request asked for them; null otherwise.</summary>
    public IReadOnlyList<TokenLogprob>? Logprobs => _logprobs;

    /// <summary>True when some text arrived.</summary>
    public bool HasText => _text.Length > 0;

    /// <summary>Takes one update into the reply.</summary>
    public void Add(ChatUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        Admission ??= update.Admitted;
        if (update.QueuePosition is { } position && FirstQueuePosition == 0)
        {
            FirstQueuePosition = position;
        }

        Prompt = update.Prompt ?? Prompt;
        _text.Append(update.Text);
        if (update.Logprobs is { } logprobs)
        {
            (_logprobs ??= []).AddRange(logprobs);
        }

        Stats = update.Completed ?? Stats;
    }

    /// <summary>
    /// The figures of the finished reply. Throws <see cref="OperationCanceledException"/> when the caller
    /// cancelled (the engine ends a cancelled generation quietly, but the caller asked to stop), and
    /// <see cref="InvalidOperationException"/> when the stream ended without its figures.
    /// </summary>
    public GenerationStats Completed(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Stats ?? throw new InvalidOperationException("The generation ended without its figures.");
    }

    /// <summary>Reads <paramref name="updates"/> to its end, starting with its current update (the stream already began).</summary>
    public static async Task<ReplyBuilder> CollectAsync(IAsyncEnumerator<ChatUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var reply = new ReplyBuilder();
        reply.Add(updates.Current);
        while (await updates.MoveNextAsync().ConfigureAwait(false))
        {
            reply.Add(updates.Current);
        }

        _ = reply.Completed(cancellationToken);
        return reply;
    }

    /// <summary>Reads <paramref name="updates"/> from its start to its end.</summary>
    public static async Task<ReplyBuilder> CollectAsync(IAsyncEnumerable<ChatUpdate> updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var reply = new ReplyBuilder();
        await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            reply.Add(update);
        }

        _ = reply.Completed(cancellationToken);
        return reply;
    }
}
