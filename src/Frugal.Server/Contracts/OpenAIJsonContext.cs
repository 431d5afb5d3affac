using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>Source-generated JSON for the OpenAI-compatible API and the observability endpoints; snake_case names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ChatCompletionChunk))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(TextCompletion))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelEntry))]
[JsonSerializable(typeof(ServerStatus))]
[JsonSerializable(typeof(ReadinessStatus))]
public sealed partial class OpenAIJsonContext : JsonSerializerContext;
