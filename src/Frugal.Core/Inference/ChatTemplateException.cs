namespace Frugal.Inference;

/// <summary>
/// The model's chat template is missing or belongs to no known family, and no family was named.
/// Frugal never guesses a format and never executes a template from a model file.
/// </summary>
public sealed class ChatTemplateException : Exception
{
    public ChatTemplateException()
    {
    }

    public ChatTemplateException(string message) : base(message)
    {
    }

    public ChatTemplateException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
