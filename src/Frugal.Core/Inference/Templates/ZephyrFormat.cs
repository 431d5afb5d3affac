using Frugal.Models;

namespace Frugal.Inference.Templates;

/// <summary>
/// TinyLlama / Zephyr: <c>&lt;|system|&gt;\n{content}&lt;/s&gt;\n&lt;|user|&gt;\n{content}&lt;/s&gt;\n&lt;|assistant|&gt;\n</c>.
/// The role markers are plain text in this vocabulary; only the end-of-sequence closing each turn is special.
/// </summary>
internal sealed class ZephyrFormat : IChatFormat
{
    public ChatTemplateFamily Family => ChatTemplateFamily.Zephyr;

    public IReadOnlyList<string> TurnMarkers { get; } = ["<|user|>", "<|system|>", "<|assistant|>"];

    public IReadOnlyList<PromptPart> Format(IReadOnlyList<ChatTurn> messages, bool addBos)
    {
        var parts = new List<PromptPart>(messages.Count * 2 + 2);
        if (addBos)
        {
            parts.Add(PromptPart.Bos);
        }

        var separator = "";
        foreach (var message in messages)
        {
            var marker = message.Role switch
            {
                ChatRole.System => "<|system|>",
                ChatRole.User => "<|user|>",
                _ => "<|assistant|>",
            };
            var content = ContentSanitizer.Neutralize(message.Content);
            parts.Add(PromptPart.Plain(separator + marker + "\n"));
            parts.Add(message.Role == ChatRole.Assistant ? PromptPart.Reply(content, message.Content) : PromptPart.Plain(content));
            parts.Add(PromptPart.Eos);
            separator = "\n";
        }

        parts.Add(PromptPart.Plain(separator + "<|assistant|>\n"));
        return parts;
    }
}
