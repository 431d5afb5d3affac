namespace Frugal.Inference;

/// <summary>One message of a conversation, as given to the model.</summary>
/// <param name="Role">Who said it.</param>
/// <param name="Content">What was said; always treated as plain text, never as control tokens.</param>
public sealed record ChatTurn(ChatRole Role, string Content)
{
    /// <summary>
    /// For an earlier reply: the token ids the model generated for it (<see cref="GenerationStats.ReplyTokenIds"/>, as
    /// stored). The engine spells the reply with them in the prompt when they decode to exactly <see cref="Content"/>, so
    /// a session's kept KV cells match again after a restart; otherwise they are ignored.
    /// </summary>
    public IReadOnlyList<int>? GeneratedTokens { get; init; }
}
