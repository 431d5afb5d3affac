namespace Frugal.Conversations;

/// <summary>One message of a <see cref="SessionImport"/>, with the ids it had where it came from.</summary>
public sealed record ImportedMessage
{
    /// <summary>Its id in the source; unique within the import.</summary>
    public required long Id { get; init; }

    /// <summary>The source id of the message it follows (listed before it), or null.</summary>
    public long? ParentId { get; init; }

    /// <summary>What it says (its own <see cref="NewMessage.ParentId"/> is not used).</summary>
    public required NewMessage Message { get; init; }
}
