using Frugal.Inference;

namespace Frugal.Scheduling;

/// <summary>
/// The one update a request's stream carries from the scheduler to the edge (HTTP, <c>IChatClient</c>, CLI).
/// Exactly one part is set, in this order: <see cref="Admitted"/> once (the request passed admission: memory,
/// queue, limits), <see cref="QueuePosition"/> while it waits, <see cref="Text"/> pieces, then
/// <see cref="Completed"/> once.
/// </summary>
public sealed record ChatUpdate
{
    /// <summary>Set on the first update: what admission decided (memory pressure, prompt size, history left out).</summary>
    public ChatAdmission? Admitted { get; init; }

    /// <summary>1-based position in the queue while waiting; null once running.</summary>
    public int? QueuePosition { get; init; }

    /// <summary>How the engine placed the prompt in the KV cache (reused cells, a context shift); before the first text.</summary>
    public PromptFigures? Prompt { get; init; }

    /// <summary>A piece of the reply (whole characters); empty on other updates.</summary>
    public string Text { get; init; } = "";

    /// <summary>The log probabilities of the tokens whose text this update carries, when the request asked for them.</summary>
    public IReadOnlyList<TokenLogprob>? Logprobs { get; init; }

    /// <summary>The generation's figures, on the last update.</summary>
    public GenerationStats? Completed { get; init; }

    /// <summary>The update for a piece of the engine's stream.</summary>
    public static ChatUpdate From(GenerationUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return new ChatUpdate { Prompt = update.Prompt, Text = update.Text, Logprobs = update.Logprobs, Completed = update.Completed };
    }
}
