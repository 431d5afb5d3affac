namespace Frugal.Server.Contracts;

/// <summary>Answer of a delete: <c>{"id", "object": "session.deleted", "deleted": true}</c>.</summary>
public sealed record DeletedResponse(string Id, string Object, bool Deleted);
