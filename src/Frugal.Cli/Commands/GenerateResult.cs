using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Frugal.Cli.Commands;

/// <summary>What <c>frugal generate --json</c> prints: one object.</summary>
internal sealed record GenerateResult(
    string Text,
    int PromptTokens,
    int CompletionTokens,
    string FinishReason,
    double TtftMs,
    double PromptTokensPerSecond,
    double DecodeTokensPerSecond,
    string? CpuBackend,
    string WeightPages);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(GenerateResult))]
internal sealed partial class GenerateJsonContext : JsonSerializerContext
{
    /// <summary>Like <see cref="JsonSerializerContext"/>'s default, but writes non-ASCII text as itself, not as \u escapes.</summary>
    public static GenerateJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
