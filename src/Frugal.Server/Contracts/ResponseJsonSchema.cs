namespace Frugal.Server.Contracts;

/// <summary>The <c>json_schema</c> of a <c>response_format</c>: the reply is constrained to JSON that validates against <see cref="Schema"/>.</summary>
public sealed record ResponseJsonSchema
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public System.Text.Json.JsonElement? Schema { get; init; }

    /// <summary>Accepted either way: the grammar always keeps to the whole schema, or the request is refused.</summary>
    public bool? Strict { get; init; }
}
