using Frugal.Inference;
using Frugal.Models;
using Frugal.Server.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Frugal.Server.Endpoints;

/// <summary><c>GET /v1/models</c>: the one model this server runs, once it is loaded.</summary>
public static class ModelsApi
{
    /// <summary>Maps <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>.</summary>
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/v1/models", ListModels);
        endpoints.MapGet("/v1/models/{id}", GetModel);
        return endpoints;
    }

    /// <summary>The id clients pass as <c>model</c>: the model file's name without its extension.</summary>
    public static string ModelId(ModelInfo model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Path.GetFileNameWithoutExtension(model.Path);
    }

    /// <summary>True when <paramref name="name"/> names <paramref name="model"/>: its id, its file name, or the name inside the file.</summary>
    public static bool Matches(ModelInfo model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        return string.Equals(name, ModelId(model), StringComparison.OrdinalIgnoreCase)
            || string.Equals(name, Path.GetFileName(model.Path), StringComparison.OrdinalIgnoreCase)
            || (model.Name is { Length: > 0 } inFile && string.Equals(name, inFile, StringComparison.OrdinalIgnoreCase));
    }

    // While the model loads (or after it failed) the list is empty: nothing can be served yet.
    internal static JsonHttpResult<ModelList> ListModels(EngineReadiness readiness) =>
        TypedResults.Json(new ModelList(readiness.Engine is { } engine ? [Entry(engine.Model)] : []), OpenAIJsonContext.Default.ModelList);

    internal static Results<JsonHttpResult<ModelEntry>, JsonHttpResult<ErrorResponse>> GetModel(string id, EngineReadiness readiness) =>
        readiness.Engine is { } engine && Matches(engine.Model, id)
            ? TypedResults.Json(Entry(engine.Model), OpenAIJsonContext.Default.ModelEntry)
            : ApiErrors.NotFound($"The model '{id}' does not exist.", "model", "model_not_found");

    private static ModelEntry Entry(ModelInfo model)
    {
        var created = File.Exists(model.Path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(model.Path)).ToUnixTimeSeconds() : 0;
        return new ModelEntry(ModelId(model), created, "frugal");
    }
}
