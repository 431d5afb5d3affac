using System.Globalization;
using System.Text;
using Frugal.Inference;

namespace Frugal.Requests;

/// <summary>
/// The one validator and the one set of defaults of a <see cref="ChatRequest"/>: checks every value in the
/// order a caller fixes them (messages, sampling, stop, reply budget, then whether it fits the context) and
/// turns the request into the <see cref="GenerationRequest"/> the engine runs. Throws
/// <see cref="ChatRequestException"/> naming the field at fault.
/// </summary>
public static class ChatRequestValidator
{
    /// <summary>The reply budget when the caller gives none (never more than half the context, nor more than the prompt leaves).</summary>
    public const int DefaultMaxTokens = 256;

    /// <summary>OpenAI's temperature range is 0 to 2.</summary>
    public const double MaxTemperature = 2;

    /// <summary>
    /// Temperatures below this are greedy: a temperature like 1e-45 divides the logits into infinities,
    /// which is greedy decoding spelt unsafely.
    /// </summary>
    public const double GreedyBelow = 1e-3;

    /// <summary>OpenAI accepts at most four stop sequences.</summary>
    public const int MaxStopSequences = 4;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The context <paramref name="request"/> may use: its own (<see cref="ChatRequest.ContextSize"/>) within the engine's <paramref name="contextSize"/>.</summary>
    public static int ContextFor(ChatRequest request, int contextSize)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ContextSize is { } own ? Math.Clamp(own, 1, contextSize) : contextSize;
    }

    /// <summary>
    /// The reply budget of <paramref name="request"/> before its prompt is known: the caller's (1 to the context
    /// size) or the default (<see cref="DefaultMaxTokens"/>, at most half the context). Used to choose history.
    /// </summary>
    public static int ReplyBudget(ChatRequest request, int contextSize)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.MaxTokens is not { } maxTokens)
        {
            return Math.Max(1, Math.Min(DefaultMaxTokens, contextSize / 2));
        }

        var name = request.Names.MaxTokens;
        if (maxTokens < 1)
        {
            throw Invalid($"Invalid value for '{name}': {maxTokens}. It must be at least 1.", name);
        }

        if (maxTokens > contextSize)
        {
            throw Invalid($"Invalid value for '{name}': {maxTokens}. This model's context holds {contextSize} tokens.", name);
        }

        return maxTokens;
    }

    /// <summary>
    /// Checks everything that does not depend on the prompt's length (messages, a raw prompt's token ids against a
    /// vocabulary of <paramref name="vocabularySize"/>, sampling, stop, reply budget) and returns the reply budget
    /// (see <see cref="ReplyBudget"/>).
    /// </summary>
    public static int Check(ChatRequest request, int contextSize, int vocabularySize = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateMessages(request.Messages);
        ValidatePromptTokens(request.Raw?.Tokens, vocabularySize, request.Names.Messages);
        _ = Sampling(request);
        _ = ValidateStop(request.Stop);
        ValidateLogprobs(request);
        return ReplyBudget(request, contextSize);
    }

    /// <summary>
    /// Checks everything and builds the generation for a prompt of <paramref name="promptTokens"/> tokens (the
    /// formatted messages) in a context of <paramref name="contextSize"/>. Without a caller's budget the reply
    /// may take the default or what the context leaves, whichever is smaller.
    /// </summary>
    public static GenerationRequest Validate(ChatRequest request, int contextSize, int promptTokens)
    {
        var budget = Check(request, contextSize);
        if (promptTokens == 0)
        {
            throw Invalid($"'{request.Names.Messages}' is empty: the model needs at least one token to continue.", request.Names.Messages);
        }

        var room = contextSize - promptTokens;
        if (request.MaxTokens is null && room >= 1)
        {
            budget = Math.Min(budget, room);
        }

        if (promptTokens >= contextSize || budget > room)
        {
            var asked = request.MaxTokens is { } m
                ? $"you requested {promptTokens + m} tokens ({promptTokens} in the messages, {m} in the completion)"
                : $"the messages take {promptTokens} tokens, leaving no room for a reply";
            throw new ChatRequestException(
                $"{(request.ContextSize is null ? "This model's maximum context length" : "This request's own context")} is {contextSize} tokens. However, {asked}. Shorten the messages or the completion.",
                request.Names.Messages, "context_length_exceeded");
        }

        return new GenerationRequest
        {
            Messages = request.Messages,
            Raw = request.Raw,
            MaxTokens = budget,
            Sampling = Sampling(request),
            Stop = request.Stop ?? [],
            SessionKey = request.SessionKey,
            Grammar = request.Grammar,
            Logprobs = request.Logprobs,
        };
    }

    /// <summary>The sampling settings of <paramref name="request"/>, checked; unset ones keep <see cref="SamplingOptions.Default"/>.</summary>
    public static SamplingOptions Sampling(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sampling = SamplingOptions.Default;
        if (request.Temperature is { } temperature)
        {
            if (!double.IsFinite(temperature) || temperature is < 0 or > MaxTemperature)
            {
                throw Invalid($"Invalid value for 'temperature': {Format(temperature)}. It must be between 0 and {Format(MaxTemperature)}.", "temperature");
            }

            sampling = sampling with { Temperature = temperature < GreedyBelow ? 0f : (float)temperature };
        }

        if (request.TopP is { } topP)
        {
            if (!double.IsFinite(topP) || topP is < 0 or > 1)
            {
                throw Invalid($"Invalid value for 'top_p': {Format(topP)}. It must be between 0 and 1.", "top_p");
            }

            sampling = sampling with { TopP = (float)topP };
        }

        if (request.TopK is { } topK)
        {
            if (topK < 1)
            {
                throw Invalid($"Invalid value for 'top_k': {topK}. It must be at least 1.", "top_k");
            }

            sampling = sampling with { TopK = topK };
        }

        // The sampler takes 32 bits; equal seeds stay equal.
        return request.Seed is { } seed ? sampling with { Seed = unchecked((uint)(seed ^ (seed >> 32))) } : sampling;
    }

    private static void ValidateMessages(IReadOnlyList<ChatTurn> messages)
    {
        if (messages is not { Count: > 0 })
        {
            throw Invalid("'messages' is empty; send at least one message.", "messages");
        }

        for (var i = 0; i < messages.Count; i++)
        {
            try
            {
                _ = StrictUtf8.GetByteCount(messages[i].Content);
            }
            catch (EncoderFallbackException)
            {
                throw new ChatRequestException($"'messages[{i}].content' is not valid Unicode (an unpaired surrogate).",
                    $"messages[{i}].content", "invalid_encoding");
            }
        }
    }

    private static void ValidatePromptTokens(IReadOnlyList<int>? tokens, int vocabularySize, string param)
    {
        if (tokens is null)
        {
            return;
        }

        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] < 0 || tokens[i] >= vocabularySize)
            {
                throw Invalid($"Invalid token id in '{param}' at {i}: {tokens[i]}. This model's token ids are 0 to {vocabularySize - 1}.", param);
            }
        }
    }

    private static void ValidateLogprobs(ChatRequest request)
    {
        if (request.Logprobs is { } top and (< 0 or > GenerationRequest.MaxLogprobs))
        {
            var name = request.Names.Logprobs;
            throw Invalid($"Invalid value for '{name}': {top}. It must be between 0 and {GenerationRequest.MaxLogprobs}.", name);
        }
    }

    private static IReadOnlyList<string> ValidateStop(IReadOnlyList<string>? stop)
    {
        if (stop is null)
        {
            return [];
        }

        if (stop.Count > MaxStopSequences)
        {
            throw Invalid($"'stop' has {stop.Count} sequences; at most {MaxStopSequences} are allowed.", "stop");
        }

        return stop.Any(string.IsNullOrEmpty) ? throw Invalid("'stop' sequences must not be empty.", "stop") : stop;
    }

    private static ChatRequestException Invalid(string message, string param) => new(message, param, "invalid_value");

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
