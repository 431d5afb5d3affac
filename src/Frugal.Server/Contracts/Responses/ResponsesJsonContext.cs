using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts.Responses;

/// <summary>Source-generated JSON for OpenAI's Responses API: snake_case names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ResponsesRequest))]
[JsonSerializable(typeof(ResponseObject))]
[JsonSerializable(typeof(ResponseStreamEvent))]
public sealed partial class ResponsesJsonContext : JsonSerializerContext;
