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

    public ReplySampler(SafeLlamaModelHandle model, GenerationRequest request, IReadOnlyList<int> prompt, IEnumerable<string> turnMarkers)
    {
        _model = model;
        _stopAtEndOfSequence = request.StopAtEndOfSequence;
        _callerStops = request.Stop;
        _sampler = SamplerChain.Create(request.Sampling);
        _grammar = request.Grammar is { } grammar ? new GrammarSampler(model, _sampler, grammar) : null;
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
    public LLamaToken Sample(SafeLLamaContextHandle context, int logitsIndex) =>
        _grammar is { } grammar ? grammar.Sample(context, logitsIndex) : _sampler.Sample(context, logitsIndex);

    /// <summary>True when <paramref name="token"/> ends the reply by itself (end of generation, when the request stops there).</summary>
    public bool Ends(LLamaToken token) => _stopAtEndOfSequence && token.IsEndOfGeneration(_model.Vocab);

    /// <summary>Adds a generated token to the reply; returns the text that may be shown now.</summary>
    public string Push(LLamaToken token)
    {
        Generated.Add((int)token);
        _decoder.Add(token);
        return Emit(_stops.Push(_decoder.Read()));
    }

    /// <summary>Text held back as a possible stop-string start that never completed: part of the reply.</summary>
    public string Flush() => Emit(_stops.Flush());

    public void Dispose()
    {
        _grammar?.Dispose();
        _sampler.Dispose();
    }

    private string Emit(string text)
    {
        Emitted.Append(text);
        return text;
    }
}
