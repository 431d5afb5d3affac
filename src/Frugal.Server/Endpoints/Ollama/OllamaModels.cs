using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Frugal.Models;
using Frugal.Server.Contracts.Ollama;

namespace Frugal.Server.Endpoints.Ollama;

/// <summary>How the one model this server runs is described in Ollama's listings and <c>show</c>.</summary>
internal static class OllamaModels
{
    /// <summary>The model as <c>GET /api/tags</c> lists it.</summary>
    public static OllamaModel Entry(ModelInfo model) =>
        new(Name(model), Name(model), model.FileSizeBytes, Digest(model), Details(model)) { ModifiedAt = Modified(model) };

    /// <summary>The model as <c>GET /api/ps</c> lists it: loaded for as long as the server runs, on the CPU.</summary>
    public static OllamaModel Running(ModelInfo model, int contextSize) =>
        new(Name(model), Name(model), model.FileSizeBytes, Digest(model), Details(model))
        {
            ExpiresAt = "9999-12-31T23:59:59Z",
            SizeVram = 0,
            ContextLength = contextSize,
        };

    /// <summary>The answer of <c>POST /api/show</c>: the file's own figures under GGUF's key names.</summary>
    public static OllamaShowResponse Show(ModelInfo model, int contextSize)
    {
        var arch = model.Architecture;
        var info = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["general.architecture"] = Text(arch),
            ["general.file_type"] = Text(model.FileType),
            ["general.parameter_count"] = Number(model.ParameterCount),
            [$"{arch}.context_length"] = Number(model.ContextLength),
            [$"{arch}.embedding_length"] = Number(model.EmbeddingLength),
            [$"{arch}.block_count"] = Number(model.BlockCount),
            [$"{arch}.attention.head_count"] = Number(model.HeadCount),
            [$"{arch}.attention.head_count_kv"] = Number(model.HeadCountKv),
            [$"{arch}.feed_forward_length"] = Number(model.FeedForwardLength),
            [$"{arch}.vocab_size"] = Number(model.VocabSize),
        };
        if (model.Name is { Length: > 0 } name)
        {
            info["general.name"] = Text(name);
        }

        var parameters = string.Create(CultureInfo.InvariantCulture, $"num_ctx {contextSize}");
        return new OllamaShowResponse($"FROM {Path.GetFileName(model.Path)}\n", parameters, model.ChatTemplate ?? "", Details(model), info,
            ["completion"], Modified(model));
    }

    private static string Name(ModelInfo model) => model.Id + OllamaRequestReader.LatestTag;

    private static OllamaModelDetails Details(ModelInfo model) =>
        new("gguf", model.Architecture, [model.Architecture], ParameterSize(model.ParameterCount), model.FileType);

    // Ollama writes sizes like "1.1B" and "7M".
    private static string ParameterSize(long count) => count switch
    {
        >= 1_000_000_000 => Format(count / 1e9) + "B",
        >= 1_000_000 => Format(count / 1e6) + "M",
        >= 1_000 => Format(count / 1e3) + "K",
        _ => count.ToString(CultureInfo.InvariantCulture),
    };

    private static string Format(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);

    // Identifies the file (name, size, modification time) without reading a gigabyte to hash its content.
    private static string Digest(ModelInfo model)
    {
        var identity = string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(model.Path)}\n{model.FileSizeBytes}\n{Modified(model)}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    private static string Modified(ModelInfo model) =>
        (File.Exists(model.Path) ? File.GetLastWriteTimeUtc(model.Path) : DateTime.UnixEpoch).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonElement Text(string value) => JsonSerializer.SerializeToElement(value, OllamaJsonContext.Default.String);

    private static JsonElement Number(long value) => JsonSerializer.SerializeToElement(value, OllamaJsonContext.Default.Int64);
}
