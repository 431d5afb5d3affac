using System.Security.Cryptography;
using System.Text;
using Frugal.Inference;

namespace Frugal.Server.Endpoints;

/// <summary>
/// The session key under which the engine keeps the KV state of a conversation that arrives through the
/// OpenAI API. Such a client sends its whole history each turn; the conversation is recognised by its
/// user and its opening (every message up to and including the first user message), so its next turn
/// finds its state again even after other conversations have used the context.
/// </summary>
/// <remarks>
/// Keys are per user: a state is only ever restored for the user whose conversation made it. A state is
/// used only as far as its tokens prefix the new prompt, so two conversations that happen to share an
/// opening cost each other time at worst, never a different reply.
/// </remarks>
internal static class OpenAIConversationKey
{
    /// <summary>The key of <paramref name="messages"/> sent by <paramref name="userId"/>.</summary>
    public static string For(string userId, IReadOnlyList<ChatTurn> messages)
    {
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

        return $"v1:{userId}:{Convert.ToHexStringLower(hash.GetHashAndReset())}";
    }
}
