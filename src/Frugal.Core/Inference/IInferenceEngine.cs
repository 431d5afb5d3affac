using Frugal.Models;

namespace Frugal.Inference;

/// <summary>
/// A loaded model that turns a chat into a streamed reply. The only seam between Frugal and the
/// native inference library: nothing outside <c>Frugal.Inference</c> touches LLamaSharp types.
/// </summary>
/// <remarks>
/// One engine owns one native context; calls to <see cref="GenerateAsync"/> beyond
/// <see cref="ParallelSequences"/> at once wait inside the engine, so callers that want fairness (the
/// server's queue) schedule before calling it.
/// </remarks>
public interface IInferenceEngine : IAsyncDisposable
{
    /// <summary>What the model file says about itself (read and validated by our own GGUF reader).</summary>
    ModelInfo Model { get; }

    /// <summary>The context size in tokens that the engine was created with.</summary>
    int ContextSize { get; }

    /// <summary>The chat template family used to format prompts.</summary>
    ChatTemplateFamily TemplateFamily { get; }

    /// <summary>
    /// How many generations the engine runs at once (continuous batching); a scheduler keeps this many
    /// running. 1 for an engine that serializes its calls.
    /// </summary>
    int ParallelSequences => 1;

    /// <summary>
    /// How many generations may run at once now (1 … <see cref="ParallelSequences"/>): fewer when one more
    /// stream would slow the running ones below the engine's floor rate. A scheduler starts no more than this.
    /// </summary>
    int StreamLimit => ParallelSequences;

    /// <summary>The replies the engine is working on now, with their progress and rates (for status pages).</summary>
    IReadOnlyList<StreamFigures> Streams => [];

    /// <summary>Counts the tokens of plain text as it would appear inside a message (special tokens not parsed).</summary>
    int CountTokens(string text);

    /// <summary>Counts the tokens of the whole formatted prompt for these messages, generation prompt included.</summary>
    int CountPromptTokens(IReadOnlyList<ChatTurn> messages);

    /// <summary>Counts the tokens the model reads for a prompt given as is (see <see cref="RawPrompt"/>).</summary>
    int CountPromptTokens(RawPrompt prompt);

    /// <summary>
    /// Streams the assistant's reply to <paramref name="request"/>. The last update carries the
    /// figures (<see cref="GenerationUpdate.Completed"/>). Cancelling the token stops generation within
    /// one token, and also interrupts a long prompt evaluation; the stream then ends with a completed
    /// update whose finish reason is <see cref="FinishReason.Cancelled"/>.
    /// </summary>
    IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default);
}
