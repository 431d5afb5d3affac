namespace Frugal.Server.Contracts;

/// <summary>Body of <c>POST /api/sessions</c>; every field optional (an empty body <c>{}</c> is fine).</summary>
public sealed record CreateSessionRequest(string? Title = null, string? SystemPrompt = null, SessionSettings? Settings = null);
