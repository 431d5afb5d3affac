using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>Source-generated JSON for the server's own wire records (errors, sessions API); snake_case names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(CreateSessionRequest))]
[JsonSerializable(typeof(SessionSettings))]
[JsonSerializable(typeof(RegenerateRequest))]
[JsonSerializable(typeof(ChatExport))]
[JsonSerializable(typeof(SendMessageRequest))]
[JsonSerializable(typeof(SessionResource))]
[JsonSerializable(typeof(ListResponse<SessionResource>))]
[JsonSerializable(typeof(SessionListResponse))]
[JsonSerializable(typeof(MessageResource))]
[JsonSerializable(typeof(ListResponse<MessageResource>))]
[JsonSerializable(typeof(DeletedResponse))]
[JsonSerializable(typeof(SendMessageResponse))]
public sealed partial class ServerJsonContext : JsonSerializerContext;
