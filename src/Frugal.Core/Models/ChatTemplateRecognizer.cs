namespace Frugal.Models;

/// <summary>
/// Tells which known chat format a model's <c>tokenizer.chat_template</c> describes, by looking for each
/// family's markers. The template is data: it is searched, never executed.
/// </summary>
public static class ChatTemplateRecognizer
{
    /// <summary>The family of <paramref name="template"/>, or <see cref="ChatTemplateFamily.Unknown"/>.</summary>
    public static ChatTemplateFamily Recognize(string? template)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            return ChatTemplateFamily.Unknown;
        }

        if (Has(template, "<|im_start|>") && Has(template, "<|im_end|>"))
        {
            return ChatTemplateFamily.ChatML;
        }

        if (Has(template, "[INST]") && Has(template, "[/INST]"))
        {
            return ChatTemplateFamily.Llama2;
        }

        // Zephyr closes turns with the EOS token; Phi-3 uses the same role markers but closes with <|end|>,
        // so it is not this family.
        if (Has(template, "<|user|>") && Has(template, "<|assistant|>") && !Has(template, "<|end|>"))
        {
            return ChatTemplateFamily.Zephyr;
        }

        return ChatTemplateFamily.Unknown;
    }

    private static bool Has(string template, string marker) => template.Contains(marker, StringComparison.Ordinal);
}
