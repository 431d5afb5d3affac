namespace Frugal.Inference.Templates;

/// <summary>What a <see cref="PromptPart"/> stands for.</summary>
internal enum PromptPartKind
{
    /// <summary>Plain text: template text and message content, tokenized with special-token parsing off.</summary>
    Text,

    /// <summary>The model's beginning-of-sequence token, added by id.</summary>
    BeginOfSequence,

    /// <summary>The model's end-of-sequence token, added by id.</summary>
    EndOfSequence,

    /// <summary>
    /// A template marker such as <c>&lt;|im_start|&gt;</c>: its token id when the vocabulary has it as one
    /// special token, otherwise plain text.
    /// </summary>
    Marker,
}

/// <summary>One piece of a formatted prompt; the engine turns a sequence of them into tokens.</summary>
/// <param name="Kind">What the piece stands for.</param>
/// <param name="Text">Its text (empty for BOS/EOS).</param>
/// <param name="ReplyContent">
/// For plain text that stands for an earlier assistant turn: that turn's content exactly as the model
/// produced it. The engine may spell the piece with the token ids the model generated for that content
/// (in place of <paramref name="Text"/>, which a template may have re-spaced), so the KV state kept from
/// that turn still matches the prompt.
/// </param>
internal readonly record struct PromptPart(PromptPartKind Kind, string Text, string? ReplyContent = null)
{
    public static PromptPart Plain(string text) => new(PromptPartKind.Text, text);

    /// <summary>
    /// <paramref name="text"/> standing for an assistant turn whose content is <paramref name="content"/>;
    /// plain text when the content holds anything the sanitizer had to break (it is then spelled only as
    /// sanitized text, never as generated ids).
    /// </summary>
    public static PromptPart Reply(string text, string content) =>
        ContentSanitizer.Neutralize(content) == content ? new(PromptPartKind.Text, text, content) : Plain(text);

    public static PromptPart Marker(string text) => new(PromptPartKind.Marker, text);

    public static PromptPart Bos { get; } = new(PromptPartKind.BeginOfSequence, "");

    public static PromptPart Eos { get; } = new(PromptPartKind.EndOfSequence, "");
}
