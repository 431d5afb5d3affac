namespace Frugal.Inference.State;

/// <summary>A kept KV state: the tokens it holds, in order, and the native state bytes.</summary>
public sealed record SavedSessionState(IReadOnlyList<int> Tokens, ReadOnlyMemory<byte> State);
