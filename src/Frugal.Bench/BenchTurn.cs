using System.Text;
using Frugal.Inference;

namespace Frugal.Bench;

/// <summary>One turn of the bench: its request (the same in every run) and the turn run to its end.</summary>
internal static class BenchTurn
{
    private static readonly SamplingOptions Greedy = new() { Temperature = 0f, RepeatPenalty = 1f };

    /// <summary>
    /// A greedy request for exactly <paramref name="maxTokens"/> tokens (an end-of-sequence token does not end it
    /// early), so every run does the same work.
    /// </summary>
    public static GenerationRequest Request(IReadOnlyList<ChatTurn> messages, int maxTokens, string? sessionKey = null) => new()
    {
        Messages = messages,
        MaxTokens = maxTokens,
        Sampling = Greedy,
        StopAtEndOfSequence = false,
        SessionKey = sessionKey,
    };

    /// <summary>Runs <paramref name="request"/> to its end: the reply's text and its figures.</summary>
    public static async Task<(string Reply, GenerationStats Stats)> RunAsync(IInferenceEngine engine, GenerationRequest request, CancellationToken cancellationToken)
    {
        var reply = new StringBuilder();
        GenerationStats? stats = null;
        await foreach (var update in engine.GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            reply.Append(update.Text);
            stats = update.Completed ?? stats;
        }

        return (reply.ToString(), stats ?? throw new InvalidOperationException("the engine ended a generation without its figures"));
    }
}
