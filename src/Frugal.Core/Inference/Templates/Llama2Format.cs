using Frugal.Models;

namespace Frugal.Inference.Templates;

/// <summary>
/// Llama-2 chat: <c>&lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;\n{system}\n&lt;&lt;/SYS&gt;&gt;\n\n{user} [/INST] {assistant} &lt;/s&gt;&lt;s&gt;[INST] {user} [/INST]</c>.
/// Content is trimmed as Meta's reference code does. System messages (wherever they appear) are joined
/// into the one <c>&lt;&lt;SYS&gt;&gt;</c> block of the first instruction, the only place the format has for them.
/// </summary>
internal sealed class Llama2Format : IChatFormat
{
    public ChatTemplateFamily Family => ChatTemplateFamily.Llama2;

    public IReadOnlyList<string> TurnMarkers { get; } = ["[INST]"];

    public IReadOnlyList<PromptPart> Format(IReadOnlyList<ChatTurn> messages, bool addBos)
    {
        var system = string.Join("\n", messages
            .Where(m => m.Role == ChatRole.System)
            .Select(m => ContentSanitizer.Neutralize(m.Content.Trim())));
        var parts = new List<PromptPart>(messages.Count * 3 + 2);
        var instructions = 0;
        var open = false;

        void Instruction(string content)
        {
            if (addBos)
            {
                parts.Add(PromptPart.Bos);
            }

            var head = instructions == 0 && system.Length > 0 ? $"[INST] <<SYS>>\n{system}\n<</SYS>>\n\n" : "[INST] ";
            parts.Add(PromptPart.Plain(head + content + " [/INST]"));
            instructions++;
            open = true;
        }

        foreach (var message in messages)
        {
            var content = ContentSanitizer.Neutralize(message.Content.Trim());
            if (message.Role == ChatRole.User)
            {
                Instruction(content);
            }
            else if (message.Role == ChatRole.Assistant)
            {
                if (!open)
                {
                    // An answer with no question before it: give it an empty instruction so the
                    // layout stays "[INST] ... [/INST] answer".
                    Instruction("");
                }

                parts.Add(PromptPart.Reply(" " + content, message.Content));
                parts.Add(PromptPart.Plain(" "));
                parts.Add(PromptPart.Eos);
                open = false;
            }
        }

        if (!open)
        {
            // The conversation does not end with a user turn: ask for a reply to an empty instruction.
            Instruction("");
        }

        return parts;
    }
}
