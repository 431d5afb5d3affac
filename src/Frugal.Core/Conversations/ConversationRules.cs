using System.Text;
using Frugal.Inference;
using Frugal.Requests;

namespace Frugal.Conversations;

/// <summary>What a conversation's texts and settings must be, checked before anything is stored.</summary>
internal sealed class ConversationRules(ConversationLimits limits, Func<IInferenceEngine?> loadedEngine)
{
    /// <summary>How the sessions API names the fields in its errors.</summary>
    public static readonly ChatRequestNames Names = new("max_tokens", "content");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static void CheckText(string? text, string param = "content")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ChatRequestException($"The message {param} must not be empty.", param, "empty_content");
        }

        CheckUnicode(text, param);
    }

    public static void CheckUnicode(string? text, string param)
    {
        try
        {
            _ = StrictUtf8.GetByteCount(text ?? "");
        }
        catch (EncoderFallbackException)
        {
            throw new ChatRequestException($"{param} is not valid Unicode (an unpaired surrogate).", param, "invalid_encoding");
        }
    }

    // One that leaves no room for a message and a reply can never be used: refused at once, not at every turn.
    public void CheckSystemPrompt(string? systemPrompt)
    {
        if (systemPrompt is null)
        {
            return;
        }

        CheckUnicode(systemPrompt, "system_prompt");
        if (systemPrompt.Length > limits.MaxSystemPromptChars)
        {
            throw new ChatRequestException($"system_prompt has at most {limits.MaxSystemPromptChars} characters on this server.", "system_prompt", "system_prompt_too_long");
        }

        if (loadedEngine() is { } engine && engine.CountTokens(systemPrompt) > engine.ContextSize - ConversationService.MinTurnTokens)
        {
            throw new ChatRequestException(
                $"system_prompt is too long for the model's context of {engine.ContextSize} tokens: it must leave {ConversationService.MinTurnTokens} tokens for a message and a reply.",
                "system_prompt", "system_prompt_too_long");
        }
    }

    /// <summary>Checks the settings with the one request validator, so a kept setting is never refused later at a send.</summary>
    public void CheckSettings(ChatSettings settings)
    {
        var request = ToRequest(settings, [new ChatTurn(ChatRole.User, "x")]);
        _ = ChatRequestValidator.Sampling(request);
        if (loadedEngine() is { } engine)
        {
            _ = ChatRequestValidator.ReplyBudget(request, engine.ContextSize);
        }
        else if (settings.MaxTokens is < 1)
        {
            throw new ChatRequestException($"Invalid value for 'max_tokens': {settings.MaxTokens}. It must be at least 1.", "max_tokens", "invalid_value");
        }
    }

    /// <summary>A request of the sessions API with these settings.</summary>
    public static ChatRequest ToRequest(ChatSettings settings, IReadOnlyList<ChatTurn> messages) => new()
    {
        Messages = messages,
        MaxTokens = settings.MaxTokens,
        Temperature = settings.Temperature,
        TopP = settings.TopP,
        TopK = settings.TopK,
        Seed = settings.Seed,
        Names = Names,
    };
}
