namespace Frugal.Server.Contracts;

/// <summary>One token's log probability, its UTF-8 bytes and the <c>top_logprobs</c> most likely tokens at its place.</summary>
public sealed record ChatTokenLogprob(string Token, double Logprob, IReadOnlyList<int> Bytes, IReadOnlyList<ChatTopLogprob> TopLogprobs);
