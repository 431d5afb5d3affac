using Frugal.Models;

namespace Frugal.Inference.Templates;

/// <summary>
/// ChatML: <c>&lt;|im_start|&gt;{role}\n{content}&lt;|im_end|&gt;\n</c> per message, then
/// <c>&lt;|im_start|&gt;assistant\n</c>. The two markers are single special tokens when the vocabulary has them.
/// </summary>
internal sealed class ChatMLFormat : IChatFormat
{
    private const string Start = "<|im_start|>";
    private const string End = "<|im_end|>";

    public ChatTemplateFamily Family => ChatTemplateFamily.ChatML;

    public IReadOnlyList<string> TurnMarkers { get; } = [End, Start];

    public IReadOnlyList<PromptPart> Format(IReadOnlyList<ChatTurn> messages, bool addBos)
    {
        var parts = new List<PromptPart>(messages.Count * 4 + 3);
        if (addBos)
        {
            parts.Add(PromptPart.Bos);
        }

        foreach (var message in messages)
        {
            var role = message.Role switch
            {
                ChatRole.System => "system",
                ChatRole.User => "user",
                _ => "assistant",
            };
            parts.Add(PromptPart.Marker(Start));
            var content = ContentSanitizer.Neutralize(message.Content);
            parts.Add(PromptPart.Plain(role + "\n"));
            parts.Add(message.Role == ChatRole.Assistant ? PromptPart.Reply(content, message.Content) : PromptPart.Plain(content));
            parts.Add(PromptPart.Marker(End));
            parts.Add(PromptPart.Plain("\n"));
        }

        parts.Add(PromptPart.Marker(Start));
        parts.Add(PromptPart.Plain("assistant\n"));
        return parts;
    }
}
