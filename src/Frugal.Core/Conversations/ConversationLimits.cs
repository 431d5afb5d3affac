using System.ComponentModel.DataAnnotations;

namespace Frugal.Conversations;

/// <summary>
/// What one user may keep (sessions, messages, bytes) and how long a system prompt may be. A box shared by
/// all its users has one disk and one database: without caps, one user's thousands of sessions fill both.
/// </summary>
public sealed class ConversationLimits
{
    /// <summary>The configuration section these limits bind from.</summary>
    public const string SectionName = "Conversations";

    /// <summary>Sessions per user by default.</summary>
    public const int DefaultMaxSessionsPerUser = 1_000;

    /// <summary>Messages per user (over all sessions) by default.</summary>
    public const int DefaultMaxMessagesPerUser = 50_000;

    /// <summary>Bytes of text per user by default (titles, system prompts, messages).</summary>
    public const long DefaultMaxBytesPerUser = 64L << 20;

    /// <summary>Characters of a system prompt by default; the engine's context is the other bound.</summary>
    public const int DefaultMaxSystemPromptChars = 32_768;

    /// <summary>Sessions one user may keep; creating one more answers 403 storage_quota_exceeded.</summary>
    [Range(1, int.MaxValue)]
    public int MaxSessionsPerUser { get; set; } = DefaultMaxSessionsPerUser;

    /// <summary>Messages one user may keep over all sessions.</summary>
    [Range(2, int.MaxValue)]
    public int MaxMessagesPerUser { get; set; } = DefaultMaxMessagesPerUser;

    /// <summary>UTF-8 bytes of text one user may keep.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxBytesPerUser { get; set; } = DefaultMaxBytesPerUser;

    /// <summary>
    /// Longest system prompt in characters. A system prompt must also leave room in the context for a
    /// message and a reply (checked with the model's tokenizer once it is loaded).
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxSystemPromptChars { get; set; } = DefaultMaxSystemPromptChars;
}
