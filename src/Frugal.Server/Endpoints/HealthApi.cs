using Frugal.Inference;
using Frugal.Memory;
using Frugal.Server.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Frugal.Server.Endpoints;

/// <summary>
/// <c>GET /health</c>: the process answers (liveness; no key needed). <c>GET /ready</c>: 200 once the
/// model is loaded, 503 while it loads or when loading failed, with the reason, and 503 "draining" while
/// memory pressure is critical (new replies are refused then: a load balancer health-checking
/// <c>/ready</c> sends them elsewhere until it falls). No key needed: it says nothing beyond what the
/// operator's own log says.
/// </summary>
public static class HealthApi
{
    /// <summary>Maps <c>/health</c> and <c>/ready</c>.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/health", GetHealth).AllowAnonymous();
        endpoints.MapGet("/ready", GetReady).AllowAnonymous();
        return endpoints;
    }

    internal static JsonHttpResult<ReadinessStatus> GetHealth() =>
        TypedResults.Json(new ReadinessStatus("ok"), OpenAIJsonContext.Default.ReadinessStatus);

    internal static JsonHttpResult<ReadinessStatus> GetReady(EngineReadiness readiness, MemoryGovernor governor, HttpContext context) => readiness.State switch
    {
        EngineLoadState.Loaded when governor.Current.EmergencyMode => Draining(governor, context),
        EngineLoadState.Loaded => TypedResults.Json(new ReadinessStatus("ready"), OpenAIJsonContext.Default.ReadinessStatus),
        EngineLoadState.Failed => TypedResults.Json(new ReadinessStatus("failed", readiness.FailureReason),
            OpenAIJsonContext.Default.ReadinessStatus, statusCode: StatusCodes.Status503ServiceUnavailable),
        _ => TypedResults.Json(new ReadinessStatus("loading"), OpenAIJsonContext.Default.ReadinessStatus,
            statusCode: StatusCodes.Status503ServiceUnavailable),
    };

    private static JsonHttpResult<ReadinessStatus> Draining(MemoryGovernor governor, HttpContext context)
    {
        ApiErrors.SetRetryAfter(context.Response, governor.Options.RetryAfter);
        return TypedResults.Json(new ReadinessStatus("draining", "Memory pressure is critical: new replies are refused until it falls."),
            OpenAIJsonContext.Default.ReadinessStatus, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
