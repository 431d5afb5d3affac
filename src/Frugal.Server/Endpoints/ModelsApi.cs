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

    // While the model loads (or after it failed) the list is empty: nothing can be served yet.
    internal static JsonHttpResult<ModelList> ListModels(EngineReadiness readiness) =>
        TypedResults.Json(new ModelList(readiness.Engine is { } engine ? [Entry(engine.Model)] : []), OpenAIJsonContext.Default.ModelList);

    internal static Results<JsonHttpResult<ModelEntry>, JsonHttpResult<ErrorResponse>> GetModel(string id, EngineReadiness readiness) =>
        readiness.Engine is { } engine && engine.Model.IsNamed(id)
            ? TypedResults.Json(Entry(engine.Model), OpenAIJsonContext.Default.ModelEntry)
            : ApiErrors.NotFound($"The model '{id}' does not exist.", "model", "model_not_found");

    private static ModelEntry Entry(ModelInfo model)
    {
        var created = File.Exists(model.Path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(model.Path)).ToUnixTimeSeconds() : 0;
        return new ModelEntry(model.Id, created, "frugal");
    }
}
