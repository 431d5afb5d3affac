using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Frugal.Inference;
using Frugal.Server.Contracts;
using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Endpoints;

/// <summary>
/// Turns the bytes of a <c>POST /v1/chat/completions</c> body into a <see cref="ValidChatRequest"/>, or
/// into the first problem found, phrased for the client with the offending field. Checks in the order
/// a client fixes them: encoding, JSON syntax, types, values, then whether it fits the model's context.
/// </summary>
internal static class ChatRequestReader
{
    /// <summary>OpenAI accepts at most four stop sequences.</summary>
    public const int MaxStopSequences = 4;

    /// <summary>OpenAI's temperature range is 0 to 2.</summary>
    public const double MaxTemperature = 2;

    public static (ChatCompletionRequest? Request, ChatRequestError? Error) Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, Bad("The request body is empty; send a JSON object with 'model' and 'messages'."));
        }

        if (!Utf8.IsValid(body))
        {
            return (null, Bad("The request body is not valid UTF-8.", code: "invalid_encoding"));
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            if (!JsonDocument.TryParseValue(ref reader, out var document))
            {
                return (null, Bad("The request body is not JSON.", code: "invalid_json"));
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return (null, Bad("The request body must be a JSON object.", code: "invalid_json"));
                }

                if (!HasOnlyValidStrings(document.RootElement))
                {
                    return (null, Bad("The request body contains an invalid Unicode escape (a lone surrogate).", code: "invalid_encoding"));
                }
            }
        }
        catch (JsonException e)
        {
            return (null, Bad($"The request body is not valid JSON: {Describe(e)}", code: "invalid_json"));
        }

        try
        {
            return (JsonSerializer.Deserialize(body, OpenAIJsonContext.Default.ChatCompletionRequest), null);
        }
        catch (JsonException e)
        {
            var param = ParamOf(e.Path);
            var message = e.Message.Contains("Path:", StringComparison.Ordinal) || string.IsNullOrEmpty(e.Message)
                ? $"Invalid type for '{param}': expected {ExpectedType(param)}."
                : e.Message;
            return (null, Bad(message, param, "invalid_type"));
        }
        catch (InvalidOperationException)
        {
            // A \u escape of a lone surrogate: the text cannot be turned into a valid string.
            return (null, Bad("The request body contains an invalid Unicode escape (a lone surrogate).", code: "invalid_encoding"));
        }
    }

    /// <summary>Checks the values of a parsed request against the loaded model.</summary>
    public static (ValidChatRequest? Request, ChatRequestError? Error) Validate(ChatCompletionRequest request, IInferenceEngine engine)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(engine);
        if (request.Model is { Length: > 0 } model && !ModelsApi.Matches(engine.Model, model))
        {
            return (null, new(StatusCodes.Status404NotFound,
                $"The model '{model}' does not exist; this server runs '{ModelsApi.ModelId(engine.Model)}' (see GET /v1/models).", "model", "model_not_found"));
        }

        if (request.N is { } n && n != 1)
        {
            return (null, Bad($"Invalid value for 'n': {n}. Only n=1 is supported.", "n", "invalid_value"));
        }

        var (turns, messageError) = ReadMessages(request.Messages);
        if (messageError is not null)
        {
            return (null, messageError);
        }

        var (sampling, samplingError) = ReadSampling(request);
        if (samplingError is not null)
        {
            return (null, samplingError);
        }

        var stop = request.Stop ?? [];
        if (stop.Count > MaxStopSequences)
        {
            return (null, Bad($"'stop' has {stop.Count} sequences; at most {MaxStopSequences} are allowed.", "stop", "invalid_value"));
        }

        if (stop.Any(string.IsNullOrEmpty))
        {
            return (null, Bad("'stop' sequences must not be empty.", "stop", "invalid_value"));
        }

        var (maxParam, maxTokens) = request.MaxCompletionTokens is { } mct ? ("max_completion_tokens", (int?)mct) : ("max_tokens", request.MaxTokens);
        var context = engine.ContextSize;
        if (maxTokens is < 1)
        {
            return (null, Bad($"Invalid value for '{maxParam}': {maxTokens}. It must be at least 1.", maxParam, "invalid_value"));
        }

        if (maxTokens > context)
        {
            return (null, Bad($"Invalid value for '{maxParam}': {maxTokens}. This model's context holds {context} tokens.", maxParam, "invalid_value"));
        }

        var promptTokens = engine.CountPromptTokens(turns!);
        if (promptTokens >= context || promptTokens + (maxTokens ?? 1) > context)
        {
            var asked = maxTokens is { } m
                ? $"you requested {promptTokens + m} tokens ({promptTokens} in the messages, {m} in the completion)"
                : $"the messages take {promptTokens} tokens, leaving no room for a reply";
            return (null, Bad($"This model's maximum context length is {context} tokens. However, {asked}. Shorten the messages or the completion.",
                "messages", "context_length_exceeded"));
        }

        var generation = new GenerationRequest
        {
            Messages = turns!,
            MaxTokens = maxTokens ?? context - promptTokens,
            Sampling = sampling!,
            Stop = stop,
        };
        return (new ValidChatRequest(generation, request.Stream ?? false, request.StreamOptions?.IncludeUsage ?? false, promptTokens), null);
    }

    private static (List<ChatTurn>? Turns, ChatRequestError? Error) ReadMessages(IReadOnlyList<ChatCompletionMessage?>? messages)
    {
        if (messages is null)
        {
            return (null, Bad("'messages' is required: an array of {\"role\", \"content\"} objects.", "messages", "missing_required_parameter"));
        }

        if (messages.Count == 0)
        {
            return (null, Bad("'messages' is empty; send at least one message.", "messages", "invalid_value"));
        }

        var turns = new List<ChatTurn>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var param = $"messages[{i}]";
            if (messages[i] is not { } message)
            {
                return (null, Bad($"'{param}' is null; each message must be an object with 'role' and 'content'.", param, "invalid_type"));
            }

            ChatRole? role = message.Role switch
            {
                "system" or "developer" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => null,
            };
            if (message.Role is null)
            {
                return (null, Bad($"'{param}.role' is required.", $"{param}.role", "missing_required_parameter"));
            }

            if (role is null)
            {
                return (null, Bad($"Invalid value for '{param}.role': '{message.Role}'. Supported roles: system, developer, user, assistant.",
                    $"{param}.role", "invalid_value"));
            }

            if (message.Content is null)
            {
                return (null, Bad($"'{param}.content' is required.", $"{param}.content", "missing_required_parameter"));
            }

            turns.Add(new ChatTurn(role.Value, message.Content));
        }

        return (turns, null);
    }

    private static (SamplingOptions? Sampling, ChatRequestError? Error) ReadSampling(ChatCompletionRequest request)
    {
        var sampling = SamplingOptions.Default;
        if (request.Temperature is { } temperature)
        {
            if (!double.IsFinite(temperature) || temperature is < 0 or > MaxTemperature)
            {
                return (null, Bad($"Invalid value for 'temperature': {Format(temperature)}. It must be between 0 and {Format(MaxTemperature)}.", "temperature", "invalid_value"));
            }

            sampling = sampling with { Temperature = (float)temperature };
        }

        if (request.TopP is { } topP)
        {
            if (!double.IsFinite(topP) || topP is < 0 or > 1)
            {
                return (null, Bad($"Invalid value for 'top_p': {Format(topP)}. It must be between 0 and 1.", "top_p", "invalid_value"));
            }

            sampling = sampling with { TopP = (float)topP };
        }

        if (request.Seed is { } seed)
        {
            // OpenAI's seed is a 64-bit integer; the sampler takes 32 bits. Equal seeds stay equal.
            sampling = sampling with { Seed = unchecked((uint)(seed ^ (seed >> 32))) };
        }

        return (sampling, null);
    }

    // Valid UTF-8 can still escape a lone surrogate ("\ud800"), which no string can hold.
    private static bool HasOnlyValidStrings(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Array:
                    return element.EnumerateArray().All(HasOnlyValidStrings);
                case JsonValueKind.Object:
                    return element.EnumerateObject().All(p => p.Name.Length >= 0 && HasOnlyValidStrings(p.Value));
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static ChatRequestError Bad(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, message, param, code);

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);

    // "$.messages[0].role" -> "messages[0].role"
    private static string ParamOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "(body)" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    private static string ExpectedType(string param)
    {
        var field = param[(param.LastIndexOf('.') + 1)..];
        var bracket = field.IndexOf('[', StringComparison.Ordinal);
        var name = bracket >= 0 ? field[..bracket] : field;
        return name switch
        {
            "messages" when bracket >= 0 => "an object with 'role' and 'content'",
            "messages" => "an array of messages",
            "model" or "role" or "name" => "a string",
            "content" => "a string or an array of text parts",
            "stream" or "include_usage" => "a boolean",
            "stream_options" => "an object",
            "max_tokens" or "max_completion_tokens" or "n" => "an integer",
            "seed" => "a 64-bit integer",
            "temperature" or "top_p" => "a number",
            "stop" => "a string or an array of strings",
            _ => "another type",
        };
    }

    // The reader's message says what and where ("'x' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 9.").
    private static string Describe(JsonException e) =>
        e.LineNumber is { } line && e.BytePositionInLine is { } position
            ? $"{e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.')} (line {line + 1}, byte {position + 1})."
            : e.Message;
}
