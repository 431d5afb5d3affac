using System.Diagnostics;

namespace Frugal.Inference;

/// <summary>Timings and counts of one generation (shared by the single-sequence and the batched paths).</summary>
internal sealed class GenerationTally(int promptTokens, long started)
{
    private long _firstToken;
    private long _lastToken;
    private int _sampled;

    public int CachedTokens { get; set; }

    /// <summary>KV cells of older turns a context shift removed for this prompt.</summary>
    public int ShiftedTokens { get; set; }

    public int CompletionTokens { get; set; }

    public long PromptDone { get; set; }

    /// <summary>When the prompt was tokenized (stopwatch ticks).</summary>
    public long Tokenized { get; set; }

    /// <summary>Time from the start to the end of tokenization.</summary>
    public double TokenizeMilliseconds => Tokenized > 0 ? Stopwatch.GetElapsedTime(started, Tokenized).TotalMilliseconds : 0;

    public void TokenSampled()
    {
        _lastToken = Stopwatch.GetTimestamp();
        _sampled++;
        if (_firstToken == 0)
        {
            _firstToken = _lastToken;
        }
    }

    /// <summary>Reply tokens per second from the first to <paramref name="now"/> (0 before the second token).</summary>
    public double TokensPerSecond(long now)
    {
        var seconds = _firstToken > 0 ? Stopwatch.GetElapsedTime(_firstToken, now).TotalSeconds : 0;
        return seconds > 0 && _sampled > 1 ? (_sampled - 1) / seconds : 0;
    }

    /// <summary>
    /// The time this reply has in hand at <paramref name="now"/> over the floor rate: how much sooner than a rate of
    /// <paramref name="floor"/> tokens/s from its first token allows it would have its next <paramref name="horizon"/>
    /// tokens (no more than <paramref name="maxTokens"/> in all), each taking <paramref name="stepSeconds"/>. Negative:
    /// it would fall behind; infinite before the first token.
    /// </summary>
    public double FloorSlackSeconds(long now, double floor, int horizon, int maxTokens, double stepSeconds)
    {
        if (_firstToken == 0)
        {
            return double.PositiveInfinity;
        }

        var target = Math.Max(_sampled + 1, Math.Min(_sampled + horizon, maxTokens));
        var deadline = (target - 1) / floor;
        return deadline - Stopwatch.GetElapsedTime(_firstToken, now).TotalSeconds - ((target - _sampled) * stepSeconds);
    }

    public GenerationStats ToStats(FinishReason reason)
    {
        var now = Stopwatch.GetTimestamp();
        var evaluated = promptTokens - CachedTokens;
        var promptSeconds = PromptDone > 0 ? Stopwatch.GetElapsedTime(started, PromptDone).TotalSeconds : 0;
        var decodeSeconds = _firstToken > 0 ? Stopwatch.GetElapsedTime(_firstToken, _lastToken).TotalSeconds : 0;
        return new GenerationStats
        {
            PromptTokens = promptTokens,
            CachedPromptTokens = CachedTokens,
            ShiftedOutTokens = ShiftedTokens,
            CompletionTokens = CompletionTokens,
            FinishReason = reason,
            TimeToFirstToken = Stopwatch.GetElapsedTime(started, _firstToken > 0 ? _firstToken : now),
            PromptTokensPerSecond = promptSeconds > 0 ? evaluated / promptSeconds : 0,
            DecodeTokensPerSecond = decodeSeconds > 0 ? (_sampled - 1) / decodeSeconds : 0,
        };
    }
}
