using System.Text;
using LLama;
using LLama.Native;

namespace Frugal.Inference.Batching;

/// <summary>
/// Turns one request's logits into its reply: llama.cpp's sampler chain (the repeat penalty primed with
/// the prompt's end, as llama.cpp's server does), UTF-8-safe text (a character split over tokens is
/// held until complete), and stop strings and turn markers held back until they are known not to match.
/// </summary>
internal sealed class ReplySampler : IDisposable
{
    private readonly SafeLLamaSamplerChainHandle _sampler;
    private readonly GrammarSampler? _grammar;
    private readonly StreamingTokenDecoder _decoder;
    private readonly StopStringFilter _stops;
    private readonly SafeLlamaModelHandle _model;
    private readonly bool _stopAtEndOfSequence;
    private readonly IReadOnlyList<string> _callerStops;
    private readonly LogprobReader? _logprobs;
    private readonly LLamaTokenData[]? _candidates;
    private readonly Queue<(TokenLogprob Entry, int DecodedEnd)> _heldLogprobs = new();
    private TokenLogprob? _sampled;
    private int _decoded;
    private int _takenEnd;

    public ReplySampler(SafeLlamaModelHandle model, GenerationRequest request, IReadOnlyList<int> prompt, IEnumerable<string> turnMarkers)
    {
        _model = model;
        _stopAtEndOfSequence = request.StopAtEndOfSequence;
        _callerStops = request.Stop;
        _sampler = SamplerChain.Create(request.Sampling);
        if (request.Logprobs is { } top)
        {
            _logprobs = new LogprobReader(model, top);
            _candidates = new LLamaTokenData[model.Vocab.Count];
        }

        _grammar = request.Grammar is { } grammar ? new GrammarSampler(model, _sampler, grammar, _logprobs) : null;
        foreach (var token in prompt.Skip(Math.Max(0, prompt.Count - SamplerChain.PenaltyWindow)))
        {
            _sampler.Accept(token);
        }

        _decoder = new StreamingTokenDecoder(Encoding.UTF8, model);
        _stops = new StopStringFilter(request.Raw is null ? request.Stop.Concat(turnMarkers) : request.Stop); // a raw prompt has no turns
    }

    /// <summary>The ids generated so far (the end-of-generation token that ended a reply excluded).</summary>
    public List<int> Generated { get; } = [];

    /// <summary>The text handed out so far.</summary>
    public StringBuilder Emitted { get; } = new();

    /// <summary>True once a stop string (or turn marker) completed: the reply ends there.</summary>
    public bool Stopped => _stops.Stopped;

    /// <summary>The caller's stop string that ended the reply; null when none did (a turn marker is not one of the caller's).</summary>
    public string? StopSequence => _stops.Matched is { } matched && _callerStops.Contains(matched, StringComparer.Ordinal) ? matched : null;

    /// <summary>Samples the next token from logits row <paramref name="logitsIndex"/> of the last decode.</summary>
    public LLamaToken Sample(SafeLLamaContextHandle context, int logitsIndex)
    {
        if (_grammar is { } grammar)
        {
            var token = grammar.Sample(context, logitsIndex);
            _sampled = grammar.LastLogprob;
            return token;
        }

        return _logprobs is null ? _sampler.Sample(context, logitsIndex) : SampleReadingLogprobs(context, logitsIndex, _logprobs);
    }

    /// <summary>
    /// The log probabilities of the tokens whose text was handed out since the last call (a token's text may be held
    /// back by a stop string or a split character: its entry waits with it; a token that reaches into a stop string
    /// goes with the text before it). Null when the request asked for none.
    /// </summary>
    public IReadOnlyList<TokenLogprob>? TakeLogprobs()
    {
        if (_logprobs is null)
        {
            return null;
        }

        var taken = new List<TokenLogprob>();
        while (_heldLogprobs.TryPeek(out var held) && (held.DecodedEnd <= Emitted.Length || (Stopped && _takenEnd < Emitted.Length)))
        {
            _takenEnd = _heldLogprobs.Dequeue().DecodedEnd;
            taken.Add(held.Entry);
        }

        return taken;
    }

    /// <summary>True when <paramref name="token"/> ends the reply by itself (end of generation, when the request stops there).</summary>
    public bool Ends(LLamaToken token) => _stopAtEndOfSequence && token.IsEndOfGeneration(_model.Vocab);

    /// <summary>Adds a generated token to the reply; returns the text that may be shown now.</summary>
    public string Push(LLamaToken token)
    {
        Generated.Add((int)token);
        _decoder.Add(token);
        var decoded = _decoder.Read();
        _decoded += decoded.Length;
        if (_sampled is { } sampled)
        {
            _heldLogprobs.Enqueue((sampled, _decoded));
        }

        return Emit(_stops.Push(decoded));
    }

    /// <summary>Text held back as a possible stop-string start that never completed: part of the reply.</summary>
    public string Flush() => Emit(_stops.Flush());

    public void Dispose()
    {
        _grammar?.Dispose();
        _sampler.Dispose();
    }

    // What llama_sampler_sample does (apply the chain to the row's logits, accept the pick), keeping the candidates to read.
    private LLamaToken SampleReadingLogprobs(SafeLLamaContextHandle context, int logitsIndex, LogprobReader logprobs)
    {
        var array = LLamaTokenDataArray.Create(context.GetLogitsIth(logitsIndex), _candidates!);
        using var pin = LLamaTokenDataArrayNative.Create(array, out var native);
        _sampler.Apply(ref native);
        var token = native.Data[checked((int)native.Selected)].ID;
        _sampler.Accept(token);
        _sampled = logprobs.Read(native.Data, token);
        return token;
    }

    private string Emit(string text)
    {
        Emitted.Append(text);
        return text;
    }
}
