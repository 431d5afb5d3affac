using Frugal.Inference;

namespace Frugal.Requests;

/// <summary>
/// The one request model every caller speaks (the OpenAI API, the sessions API, the in-process
/// <c>IChatClient</c>, the CLI): the conversation and the caller's settings, unvalidated. Null settings
/// take the defaults of <see cref="ChatRequestValidator"/>.
/// </summary>
public sealed record ChatRequest
{
    /// <summary>The conversation, oldest first; the reply continues it as the assistant.</summary>
    public required IReadOnlyList<ChatTurn> Messages { get; init; }

    /// <summary>A prompt read as given, without the chat template (see <see cref="Completion"/>); null: a chat.</summary>
    public RawPrompt? Raw { get; init; }

    /// <summary>
    /// Stored token counts of <see cref="Messages"/>, one per message (0: unknown), so history is weighed without
    /// tokenizing it again; null when the caller has none.
    /// </summary>
    public IReadOnlyList<int>? MessageTokens { get; init; }

    /// <summary>
    /// True: leave out the oldest turns that do not fit the context (a conversation kept by the server). False: a
    /// prompt that does not fit is refused (the caller sent it whole).
    /// </summary>
    public bool FitHistory { get; init; }

    /// <summary>Most tokens of the reply; null: <see cref="ChatRequestValidator.DefaultMaxTokens"/> or what the context leaves.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Sampling temperature, 0 to 2; below <see cref="ChatRequestValidator.GreedyBelow"/> it is greedy.</summary>
    public double? Temperature { get; init; }

    /// <summary>Nucleus sampling, 0 to 1.</summary>
    public double? TopP { get; init; }

    /// <summary>Top-k sampling, at least 1.</summary>
    public int? TopK { get; init; }

    /// <summary>Seed of the sampler (64 bits are folded to the sampler's 32; equal seeds stay equal).</summary>
    public long? Seed { get; init; }

    /// <summary>Strings that end the reply; at most <see cref="ChatRequestValidator.MaxStopSequences"/>, none empty.</summary>
    public IReadOnlyList<string>? Stop { get; init; }

    /// <summary>
    /// A grammar the reply must follow (JSON of a schema, a tool call: see <see cref="Grammars.JsonSchemaGrammar"/>);
    /// null: free text.
    /// </summary>
    public GbnfGrammar? Grammar { get; init; }

    /// <summary>
    /// The context this request may use, in tokens (Ollama's <c>num_ctx</c>): its prompt and reply must fit in it, and
    /// history is chosen for it; at most the engine's (a larger one is the engine's). Null: the engine's context.
    /// </summary>
    public int? ContextSize { get; init; }

    /// <summary>Null: no log probabilities; N: each reply token's, with N alternatives (see <see cref="GenerationRequest.Logprobs"/>).</summary>
    public int? Logprobs { get; init; }

    /// <summary>The key under which the engine keeps this conversation's KV state (see <see cref="GenerationRequest.SessionKey"/>).</summary>
    public string? SessionKey { get; init; }

    /// <summary>How the caller's dialect names the fields, for the error messages.</summary>
    public ChatRequestNames Names { get; init; } = ChatRequestNames.OpenAI;

    /// <summary>
    /// A request for a completion of <paramref name="prompt"/> read as given (no chat template, no history to choose):
    /// its <see cref="Messages"/> hold the prompt's text as one user turn (empty for token ids).
    /// </summary>
    public static ChatRequest Completion(RawPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return new ChatRequest { Messages = [new ChatTurn(ChatRole.User, prompt.Text ?? "")], Raw = prompt };
    }
}
