namespace Frugal.Server.Contracts;

/// <summary>Body of <c>POST /api/sessions/{id}/messages</c>.</summary>
/// <param name="Content">The user's message (required, not blank).</param>
/// <param name="Stream">True: the reply streams as SSE; false or absent: one JSON answer.</param>
/// <param name="MaxTokens">Most tokens of the reply, 1 to the context size; absent: the default.</param>
/// <param name="Temperature">0 to 2; absent: the default.</param>
public sealed record SendMessageRequest(string? Content, bool? Stream = null, int? MaxTokens = null, float? Temperature = null);
