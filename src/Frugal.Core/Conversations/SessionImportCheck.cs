using Frugal.Inference;
using Frugal.Requests;

namespace Frugal.Conversations;

/// <summary>
/// What an imported conversation must be before anything of it is stored: unique ids, each parent listed before its
/// children, turns that alternate (a user's message opens the conversation or follows a reply; a reply follows a user's
/// message), valid Unicode, and a current message among them. Throws <see cref="ChatRequestException"/> naming the first fault.
/// </summary>
public static class SessionImportCheck
{
    public static void Check(SessionImport import)
    {
        ArgumentNullException.ThrowIfNull(import);
        var roles = new Dictionary<long, ChatRole>();
        for (var i = 0; i < import.Messages.Count; i++)
        {
            var item = import.Messages[i];
            var at = $"messages[{i}]";
            if (roles.ContainsKey(item.Id))
            {
                throw Invalid($"{at}.id {item.Id} is used twice.", $"{at}.id");
            }

            if (item.Message.Role is not (ChatRole.User or ChatRole.Assistant))
            {
                throw Invalid($"{at}.role must be \"user\" or \"assistant\".", $"{at}.role");
            }

            ChatRole? parentRole = null;
            if (item.ParentId is { } parent)
            {
                if (!roles.TryGetValue(parent, out var role))
                {
                    throw Invalid($"{at}.parent_id {parent} is not the id of a message listed before it.", $"{at}.parent_id");
                }

                parentRole = role;
            }

            if (item.Message.Role == ChatRole.User && parentRole == ChatRole.User)
            {
                throw Invalid($"{at} is a user's message following another user's message; a user's message opens the conversation or follows a reply.", $"{at}.parent_id");
            }

            if (item.Message.Role == ChatRole.Assistant && parentRole != ChatRole.User)
            {
                throw Invalid($"{at} is a reply that follows no user's message.", $"{at}.parent_id");
            }

            ConversationRules.CheckUnicode(item.Message.Content, $"{at}.content");
            roles[item.Id] = item.Message.Role;
        }

        if (import.CurrentMessageId is { } current && !roles.ContainsKey(current))
        {
            throw Invalid($"current_message_id {current} is not the id of one of the messages.", "current_message_id");
        }
    }

    private static ChatRequestException Invalid(string message, string param) => new(message, param, "invalid_import");
}
