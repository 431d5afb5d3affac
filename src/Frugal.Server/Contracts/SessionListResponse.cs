namespace Frugal.Server.Contracts;

/// <summary>
/// One page of <c>GET /api/sessions?limit=&amp;after=</c>, most recently updated first, in OpenAI's list shape:
/// <c>{"object": "list", "data": [...], "has_more", "first_id", "last_id"}</c>; the next page is <c>after=last_id</c>.
/// </summary>
public sealed record SessionListResponse(string Object, IReadOnlyList<SessionListItem> Data, bool HasMore, string? FirstId, string? LastId);
