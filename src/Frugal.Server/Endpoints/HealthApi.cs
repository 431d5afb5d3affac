using Frugal.Inference;
using Frugal.Server.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Frugal.Server.Endpoints;

/// <summary>
/// <c>GET /health</c>: the process answers (liveness; no key needed). <c>GET /ready</c>: 200 once the
/// model is loaded, 503 while it loads or when loading failed, with the reason (no key needed: it
/// says nothing beyond what the operator's own log says).
/// </summary>
public static class HealthApi
{
    /// <summary>Maps <c>/health</c> and <c>/ready</c>.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/health", GetHealth);
        endpoints.MapGet("/ready", GetReady);
        return endpoints;
    }

    internal static JsonHttpResult<ReadinessStatus> GetHealth() =>
        TypedResults.Json(new ReadinessStatus("ok"), OpenAIJsonContext.Default.ReadinessStatus);

    internal static JsonHttpResult<ReadinessStatus> GetReady(EngineReadiness readiness) => readiness.State switch
    {
        EngineLoadState.Loaded => TypedResults.Json(new ReadinessStatus("ready"), OpenAIJsonContext.Default.ReadinessStatus),
        EngineLoadState.Failed => TypedResults.Json(new ReadinessStatus("failed", readiness.FailureReason),
            OpenAIJsonContext.Default.ReadinessStatus, statusCode: StatusCodes.Status503ServiceUnavailable),
        _ => TypedResults.Json(new ReadinessStatus("loading"), OpenAIJsonContext.Default.ReadinessStatus,
            statusCode: StatusCodes.Status503ServiceUnavailable),
    };
}
