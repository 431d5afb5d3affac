namespace Frugal.Inference;

/// <summary>The formatted prompt does not leave room for a reply in the engine's context.</summary>
public sealed class PromptTooLongException : Exception
{
    public PromptTooLongException(int promptTokens, int contextSize)
        : base($"the prompt has {promptTokens} tokens; the context holds {contextSize} including the reply")
    {
        PromptTokens = promptTokens;
        ContextSize = contextSize;
    }

    public PromptTooLongException()
    {
    }

    public PromptTooLongException(string message) : base(message)
    {
    }

    public PromptTooLongException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Tokens in the formatted prompt.</summary>
    public int PromptTokens { get; }

    /// <summary>The engine's context size in tokens.</summary>
    public int ContextSize { get; }
}
