namespace Frugal.Conversations;

/// <summary>One page of an owner's sessions, most recently updated first.</summary>
/// <param name="Sessions">At most the page size.</param>
/// <param name="HasMore">True when more sessions follow the last one.</param>
public sealed record SessionPage(IReadOnlyList<ConversationSession> Sessions, bool HasMore);
