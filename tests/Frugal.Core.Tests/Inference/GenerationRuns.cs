using System.Text;
using Frugal.Inference;

namespace Frugal.Tests.Inference;

/// <summary>Runs a generation to its end and collects what it streamed.</summary>
internal static class GenerationRuns
{
    public static async Task<(string Text, GenerationStats Stats, int TextUpdates)> RunAsync(
        IInferenceEngine engine, GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        GenerationStats? stats = null;
        var updates = 0;
        await foreach (var update in engine.GenerateAsync(request, cancellationToken))
        {
            Assert.Null(stats); // nothing after the completed update
            if (update.Text.Length > 0)
            {
                updates++;
                text.Append(update.Text);
            }

            stats = update.Completed;
        }

        Assert.NotNull(stats);
        return (text.ToString(), stats, updates);
    }

    public static GenerationRequest Greedy(string user, int maxTokens = 24, IReadOnlyList<string>? stop = null, string? session = null) => new()
    {
        Messages = [new ChatTurn(ChatRole.System, "You are terse."), new ChatTurn(ChatRole.User, user)],
        MaxTokens = maxTokens,
        Sampling = SamplingOptions.Default with { Temperature = 0f },
        Stop = stop ?? [],
        SessionKey = session,
        StopAtEndOfSequence = false,
    };
}
