namespace Frugal.Server.Contracts;

/// <summary>Body of <c>PATCH /api/sessions/{id}</c>: the new title (null clears it).</summary>
public sealed record UpdateSessionRequest(string? Title);
