using System.Threading.Channels;
using LLama.Native;

namespace Frugal.Inference.Batching;

/// <summary>
/// One request in the decode loop: its prompt, how far it is evaluated, its sampler, and the channel its
/// caller reads updates from. Everything but <see cref="Abandon"/> and <see cref="Updates"/> is touched
/// only by the loop's thread.
/// </summary>
internal sealed class SlotJob : IDisposable
{
    private readonly Channel<GenerationUpdate> _updates =
        Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private volatile bool _abandoned;
    private ReplySampler? _sampler;
    private bool _triedDecode;

    public SlotJob(IReadOnlyList<int> prompt, GenerationRequest request, GenerationTally tally, int maxTokens, CancellationToken cancellationToken)
    {
        Prompt = prompt;
        Request = request;
        Tally = tally;
        MaxTokens = maxTokens;
        CancellationToken = cancellationToken;
    }

    public IReadOnlyList<int> Prompt { get; }

    public GenerationRequest Request { get; }

    public GenerationTally Tally { get; }

    /// <summary>The most reply tokens: the request's limit, capped by the room left in the sequence.</summary>
    public int MaxTokens { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Only the prompt is evaluated; the job ends (finish reason Stop) when it is in the cache.</summary>
    public bool PromptOnly { get; init; }

    /// <summary>
    /// A cancellation is left to llama.cpp's abort callback inside the first decode instead of being seen
    /// before it (a test seam: it makes "cancelled inside native code" deterministic).
    /// </summary>
    public bool CancelInsideDecode { get; init; }

    /// <summary>The caller cancelled, or stopped reading.</summary>
    public bool IsCancelled => _abandoned || CancellationToken.IsCancellationRequested;

    /// <summary>Cancelled, and to be finished before its next step (see <see cref="CancelInsideDecode"/>).</summary>
    public bool LeavesBeforeStep => IsCancelled && !(CancelInsideDecode && !_triedDecode);

    /// <summary>The slot the job runs in; null while it waits for one.</summary>
    public SequenceSlot? Slot { get; set; }

    /// <summary>Prompt tokens the slot holds so far.</summary>
    public int Evaluated { get; set; }

    /// <summary>True once the prompt is evaluated: each step then feeds <see cref="Pending"/>.</summary>
    public bool Decoding => _sampler is not null;

    /// <summary>The last sampled token, to be evaluated in the next step.</summary>
    public LLamaToken Pending { get; private set; }

    /// <summary>What the caller reads.</summary>
    public ChannelReader<GenerationUpdate> Updates => _updates.Reader;

    /// <summary>Called by the caller's side when it stops reading early.</summary>
    public void Abandon() => _abandoned = true;

    /// <summary>Called by the loop when the job's tokens go into a decode.</summary>
    public void EnteredDecode() => _triedDecode = true;

    /// <summary>The job took its slot: tells the caller what of the prompt the slot's cells serve and whether they were shifted.</summary>
    public void Placed() =>
        _updates.Writer.TryWrite(new GenerationUpdate { Prompt = new PromptFigures(Prompt.Count, Tally.CachedTokens, Tally.ShiftedTokens) });

    /// <summary>The prompt is in the cache: set up sampling.</summary>
    public void StartDecoding(SafeLlamaModelHandle model, IEnumerable<string> turnMarkers) =>
        _sampler = new ReplySampler(model, Request, Prompt, turnMarkers);

    /// <summary>
    /// Samples the next token from logits row <paramref name="logitsIndex"/> and streams its text; returns
    /// the finish reason when the reply ends here, null when it goes on with <see cref="Pending"/>.
    /// </summary>
    public FinishReason? Sample(SafeLLamaContextHandle context, int logitsIndex)
    {
        var token = _sampler!.Sample(context, logitsIndex);
        Tally.TokenSampled();
        if (_sampler.Ends(token))
        {
            return FinishReason.Stop;
        }

        Tally.CompletionTokens++;
        Write(_sampler.Push(token));
        if (_sampler.Stopped)
        {
            return FinishReason.Stop;
        }

        if (Tally.CompletionTokens >= MaxTokens)
        {
            return FinishReason.Length;
        }

        Pending = token;
        return null;
    }

    /// <summary>
    /// Ends the stream with the figures (and held-back text, unless cancelled); <paramref name="rememberReply"/>
    /// gets the text the caller received and the ids generated for it, and answers the ids that spell that text.
    /// </summary>
    public GenerationStats Complete(FinishReason reason, Func<string?, string, IReadOnlyList<int>, int[]?> rememberReply)
    {
        int[]? replyIds = null;
        if (_sampler is not null)
        {
            if (reason != FinishReason.Cancelled)
            {
                Write(_sampler.Flush());
            }

            replyIds = rememberReply(Request.Owner, _sampler.Emitted.ToString(), _sampler.Generated);
        }

        var stats = Tally.ToStats(reason) with { StopSequence = _sampler?.StopSequence, ReplyTokenIds = replyIds };
        _updates.Writer.TryWrite(new GenerationUpdate { Completed = stats });
        _updates.Writer.TryComplete();
        Dispose();
        return stats;
    }

    /// <summary>Ends the stream with an error the caller sees.</summary>
    public void Fail(Exception exception)
    {
        _updates.Writer.TryComplete(exception);
        Dispose();
    }

    public void Dispose()
    {
        _sampler?.Dispose();
        _sampler = null;
    }

    private void Write(string text)
    {
        if (text.Length > 0)
        {
            _updates.Writer.TryWrite(new GenerationUpdate { Text = text, Logprobs = _sampler?.TakeLogprobs() });
        }
    }
}
