namespace Frugal.Server.Contracts;

/// <summary>Body of <c>POST /api/sessions/{id}/messages/{message_id}/regenerate</c> (may be empty or <c>{}</c>): sampling as in a send.</summary>
public sealed record RegenerateRequest(bool? Stream = null, int? MaxTokens = null, double? Temperature = null, double? TopP = null, int? TopK = null, long? Seed = null)
{
    /// <summary>The sampling values given in the request (null ones take the session's).</summary>
    public Frugal.Conversations.ChatSettings Settings => new() { MaxTokens = MaxTokens, Temperature = Temperature, TopP = TopP, TopK = TopK, Seed = Seed };
}
