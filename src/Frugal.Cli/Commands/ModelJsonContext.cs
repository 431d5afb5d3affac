using System.Text.Json.Serialization;

namespace Frugal.Cli.Commands;

/// <summary>Source-generated JSON for the <c>model</c> commands.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(ModelInspectReport))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;
