using Frugal.Models;

namespace Frugal.Inference.Templates;

/// <summary>Finds the <see cref="IChatFormat"/> of a family.</summary>
internal static class ChatFormats
{
    /// <summary>The format of <paramref name="family"/>; <see cref="ChatTemplateException"/> for <see cref="ChatTemplateFamily.Unknown"/>.</summary>
    public static IChatFormat For(ChatTemplateFamily family) => family switch
    {
        ChatTemplateFamily.Zephyr => new ZephyrFormat(),
        ChatTemplateFamily.Llama2 => new Llama2Format(),
        ChatTemplateFamily.ChatML => new ChatMLFormat(),
        _ => throw new ChatTemplateException($"no chat format for family '{family}'"),
    };

    /// <summary>Renders parts as text, showing BOS and EOS with the given spellings (for logs, tests and counting).</summary>
    public static string Render(IEnumerable<PromptPart> parts, string bos = "<s>", string eos = "</s>") =>
        string.Concat(parts.Select(p => p.Kind switch
        {
            PromptPartKind.BeginOfSequence => bos,
            PromptPartKind.EndOfSequence => eos,
            _ => p.Text,
        }));
}
