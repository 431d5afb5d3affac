namespace Frugal.Conversations;

/// <summary>The kinds of <see cref="TurnStart"/>.</summary>
public enum TurnKind
{
    /// <summary>A new message after the current one.</summary>
    Send,

    /// <summary>A new version of a user's message.</summary>
    Edit,

    /// <summary>A new reply to a user's message.</summary>
    Regenerate,
}
