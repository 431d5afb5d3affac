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
internal readonly record struct PromptPart(PromptPartKind Kind, string Text)
{
    public static PromptPart Plain(string text) => new(PromptPartKind.Text, text);

    public static PromptPart Marker(string text) => new(PromptPartKind.Marker, text);

    public static PromptPart Bos { get; } = new(PromptPartKind.BeginOfSequence, "");

    public static PromptPart Eos { get; } = new(PromptPartKind.EndOfSequence, "");
}
