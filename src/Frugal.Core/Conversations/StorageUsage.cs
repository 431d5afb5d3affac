namespace Frugal.Conversations;

/// <summary>What one owner keeps in the store.</summary>
/// <param name="Sessions">Sessions.</param>
/// <param name="Messages">Messages over all their sessions.</param>
/// <param name="Bytes">UTF-8 bytes of titles, system prompts and message contents.</param>
public sealed record StorageUsage(long Sessions, long Messages, long Bytes);
