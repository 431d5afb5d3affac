namespace Frugal.Inference;

/// <summary>One message of a conversation, as given to the model.</summary>
/// <param name="Role">Who said it.</param>
/// <param name="Content">What was said; always treated as plain text, never as control tokens.</param>
public sealed record ChatTurn(ChatRole Role, string Content);
