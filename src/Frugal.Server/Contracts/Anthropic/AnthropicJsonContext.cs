using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts.Anthropic;

/// <summary>Source-generated JSON for Anthropic's Messages API: snake_case names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AnthropicErrorResponse))]
[JsonSerializable(typeof(MessagesRequest))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(TokenCount))]
[JsonSerializable(typeof(MessageStreamEvent))]
public sealed partial class AnthropicJsonContext : JsonSerializerContext;
