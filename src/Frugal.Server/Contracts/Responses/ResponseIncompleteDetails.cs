namespace Frugal.Server.Contracts.Responses;

/// <summary>Why a response is incomplete (<c>max_output_tokens</c>).</summary>
public sealed record ResponseIncompleteDetails(string Reason);
