namespace Frugal.Server.Contracts;

/// <summary>One of the most likely tokens at a place of the reply.</summary>
public sealed record ChatTopLogprob(string Token, double Logprob, IReadOnlyList<int> Bytes);
