namespace Frugal.Inference;

/// <summary>The speaker of a <see cref="ChatTurn"/>.</summary>
public enum ChatRole
{
    System,
    User,
    Assistant,
}
