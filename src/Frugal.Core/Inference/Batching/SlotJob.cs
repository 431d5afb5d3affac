using System.Text;
using System.Threading.Channels;
using LLama;
using LLama.Native;

namespace Frugal.Inference.Batching;

/// <summary>
/// One request in the batch loop: its prompt, how far it is evaluated, its sampler and text filters,
/// and the channel its caller reads updates from. Everything but <see cref="Abandon"/> and
/// <see cref="Updates"/> is touched only by the batch loop's thread.
/// </summary>
internal sealed class SlotJob : IDisposable
{
    private readonly Channel<GenerationUpdate> _updates =
        Channel.CreateUnbounded<GenerationUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private volatile bool _abandoned;
    private SafeLLamaSamplerChainHandle? _sampler;
    private StreamingTokenDecoder? _decoder;
    private StopStringFilter? _stops;
    private readonly List<int> _generated = [];
    private readonly StringBuilder _emitted = new();

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

    /// <summary>The caller cancelled, or stopped reading.</summary>
    public bool IsCancelled => _abandoned || CancellationToken.IsCancellationRequested;

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

    /// <summary>The prompt is in the cache: set up sampling (the repeat penalty sees the prompt's end, as the single-sequence path does).</summary>
    public void StartDecoding(SafeLlamaModelHandle model, IEnumerable<string> turnMarkers)
    {
        _sampler = SamplerChain.Create(Request.Sampling);
        foreach (var token in Prompt.Skip(Math.Max(0, Prompt.Count - SamplerChain.PenaltyWindow)))
        {
            _sampler.Accept(token);
        }

        _decoder = new StreamingTokenDecoder(Encoding.UTF8, model);
        _stops = new StopStringFilter(Request.Stop.Concat(turnMarkers));
    }

    /// <summary>
    /// Samples the next token from logits row <paramref name="logitsIndex"/> and streams its text; returns
    /// the finish reason when the reply ends here, null when it goes on with <see cref="Pending"/>.
    /// </summary>
    public FinishReason? Sample(SafeLLamaContextHandle context, int logitsIndex, SafeLlamaModelHandle model)
    {
        var token = _sampler!.Sample(context, logitsIndex);
        Tally.TokenSampled();
        if (Request.StopAtEndOfSequence && token.IsEndOfGeneration(model.Vocab))
        {
            return FinishReason.Stop;
        }

        Tally.CompletionTokens++;
        _generated.Add((int)token);
        _decoder!.Add(token);
        Emit(_stops!.Push(_decoder.Read()));

        if (_stops.Stopped)
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
    /// gets the text the caller received and the ids generated for it.
    /// </summary>
    public GenerationStats Complete(FinishReason reason, Action<string, List<int>> rememberReply)
    {
        if (reason != FinishReason.Cancelled && _stops is not null)
        {
            // Text held back as a possible stop-string start that never completed is part of the reply.
            Emit(_stops.Flush());
        }

        rememberReply(_emitted.ToString(), _generated);
        var stats = Tally.ToStats(reason);
        _updates.Writer.TryWrite(new GenerationUpdate { Completed = stats });
        _updates.Writer.TryComplete();
        Dispose();
        return stats;
    }

    private void Emit(string text)
    {
        if (text.Length > 0)
        {
            _emitted.Append(text);
            _updates.Writer.TryWrite(new GenerationUpdate { Text = text });
        }
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
}
