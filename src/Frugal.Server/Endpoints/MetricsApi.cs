using Frugal.Server.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Frugal.Server.Endpoints;

/// <summary><c>GET /metrics</c>: every Frugal instrument in Prometheus' text format (no key, as scrapers expect; no user data in it).</summary>
public static class MetricsApi
{
    /// <summary>Maps <c>GET /metrics</c>.</summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/metrics", GetMetrics).AllowAnonymous();
        return endpoints;
    }

    internal static ContentHttpResult GetMetrics(PrometheusMetricsCollector collector) =>
        TypedResults.Text(collector.Render(), PrometheusMetricsCollector.ContentType);
}
