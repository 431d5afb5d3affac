namespace Frugal.Inference;

/// <summary>
/// A prompt the model reads as given, without the chat template (OpenAI's legacy completions, Ollama's raw
/// generate): text, read after the model's beginning-of-sequence token when it adds one, with special-token
/// parsing off (text never becomes a control token); or token ids, read exactly as given.
/// </summary>
public sealed class RawPrompt
{
    private RawPrompt(string? text, IReadOnlyList<int>? tokens)
    {
        Text = text;
        Tokens = tokens;
    }

    /// <summary>The prompt's text; null when it was given as token ids.</summary>
    public string? Text { get; }

    /// <summary>The prompt's token ids; null when it was given as text.</summary>
    public IReadOnlyList<int>? Tokens { get; }

    /// <summary>A prompt of text.</summary>
    public static RawPrompt FromText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new RawPrompt(text, null);
    }

    /// <summary>A prompt of token ids (checked against the vocabulary when it is run).</summary>
    public static RawPrompt FromTokens(IReadOnlyList<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return new RawPrompt(null, [.. tokens]);
    }
}
