using Frugal.Inference;
using Frugal.Requests;

namespace Frugal.Conversations;

/// <summary>Where in the conversation's tree a <see cref="TurnStart"/> goes: the branch the model reads and where the new message hangs.</summary>
/// <param name="History">The messages before the user's message, oldest first.</param>
/// <param name="ParentId">The parent of the new user message (null: at the start).</param>
/// <param name="Answered">For a regeneration, the user's message answered again (nothing new is stored for it).</param>
internal sealed record TurnPlan(IReadOnlyList<StoredMessage> History, long? ParentId, StoredMessage? Answered)
{
    public static TurnPlan For(MessageTree tree, TurnStart start, string sessionId)
    {
        switch (start.Kind)
        {
            case TurnKind.Edit:
            {
                var edited = Message(tree, start, sessionId);
                if (edited.Role != ChatRole.User)
                {
                    throw new ChatRequestException($"Message {edited.Id} is a reply: only the user's messages are edited (regenerate a reply instead).", "version_of", "not_a_user_message");
                }

                return new TurnPlan(tree.PathTo(edited.ParentId), edited.ParentId, null);
            }

            case TurnKind.Regenerate:
            {
                var named = Message(tree, start, sessionId);
                var user = named.Role == ChatRole.User ? named : named.ParentId is { } p ? tree.Find(p) : null;
                if (user is not { Role: ChatRole.User })
                {
                    throw new ChatRequestException($"Message {named.Id} answers no message of the user, so there is nothing to answer again.", "message_id", "nothing_to_regenerate");
                }

                return new TurnPlan(tree.PathTo(user.ParentId), user.ParentId, user);
            }

            default:
                return new TurnPlan(tree.Branch, tree.Current?.Id, null);
        }
    }

    private static StoredMessage Message(MessageTree tree, TurnStart start, string sessionId) =>
        tree.Find(start.MessageId!.Value) ?? throw new MessageNotFoundException($"Session '{sessionId}' has no message {start.MessageId}.");
}
