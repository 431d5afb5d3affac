using System.Text;
using Frugal.Inference;

namespace Frugal.Bench;

/// <summary>One chat turn run to its end by the bench's chat phases: the reply's text and its figures.</summary>
internal static class BenchTurn
{
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
