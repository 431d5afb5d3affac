namespace Frugal.Server.Contracts;

/// <summary>Body of <c>POST /api/sessions/{id}/messages</c>.</summary>
/// <param name="Content">The user's message (required, not blank).</param>
/// <param name="Stream">True: the reply streams as SSE; false or absent: one JSON answer.</param>
/// <param name="MaxTokens">Most tokens of the reply, 1 to the context size; absent: the default.</param>
/// <param name="Temperature">0 to 2; absent: the session's setting or the default (so are the others).</param>
/// <param name="TopP">0 to 1.</param>
/// <param name="TopK">At least 1.</param>
/// <param name="Seed">The sampler's seed.</param>
/// <param name="VersionOf">The id of a user's message this one is a new version of (an edit): the reply and the branch from there are new, the old ones kept.</param>
public sealed record SendMessageRequest(
    string? Content, bool? Stream = null, int? MaxTokens = null, double? Temperature = null, double? TopP = null, int? TopK = null, long? Seed = null, long? VersionOf = null)
{
    /// <summary>The sampling values given in the request (null ones take the session's).</summary>
    public Frugal.Conversations.ChatSettings Settings => new() { MaxTokens = MaxTokens, Temperature = Temperature, TopP = TopP, TopK = TopK, Seed = Seed };
}
