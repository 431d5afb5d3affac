namespace Frugal.Server.Contracts;

/// <summary>A list on the wire: <c>{"object": "list", "data": [...]}</c>.</summary>
public sealed record ListResponse<T>(string Object, IReadOnlyList<T> Data);
