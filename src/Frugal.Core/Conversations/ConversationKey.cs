using System.Security.Cryptography;
using System.Text;
using Frugal.Inference;

namespace Frugal.Conversations;

/// <summary>
/// Session keys under which the engine keeps the KV state of a conversation whose caller sends its whole
/// history each turn (the OpenAI API, an in-process <c>IChatClient</c>), so its next turn finds its state
/// again even after other conversations have used the context.
/// </summary>
/// <remarks>
/// Keys are per user: a state is only ever restored for the user whose conversation made it. A state is
/// used only as far as its tokens prefix the new prompt, so two conversations that share a key cost each
/// other time at worst, never a different reply.
/// </remarks>
public static class ConversationKey
{
    /// <summary>
    /// The key of <paramref name="messages"/> sent by <paramref name="userId"/> through <paramref name="scope"/>
    /// (an API's short name): the conversation is recognised by its opening, every message up to and
    /// including the first user message.
    /// </summary>
    public static string ByOpening(string scope, string userId, IReadOnlyList<ChatTurn> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var message in messages)
        {
            // Role and length first: no two different openings hash the same bytes.
            hash.AppendData(Encoding.UTF8.GetBytes($"{message.Role}:{message.Content.Length}:"));
            hash.AppendData(Encoding.UTF8.GetBytes(message.Content));
            if (message.Role == ChatRole.User)
            {
                break;
            }
        }

        return $"{scope}:{userId}:{Convert.ToHexStringLower(hash.GetHashAndReset())}";
    }

    /// <summary>The key of the conversation the caller itself names <paramref name="conversationId"/> (hashed: any text is accepted).</summary>
    public static string ById(string scope, string userId, string conversationId)
    {
        ArgumentNullException.ThrowIfNull(conversationId);
        return $"{scope}:{userId}:id:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(conversationId)))}";
    }
}
