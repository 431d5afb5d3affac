using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>JSON for SSE events: absent fields are left out, so each event carries only what its type has.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReplyEvent))]
public sealed partial class ReplyEventJsonContext : JsonSerializerContext;
