using System.Diagnostics;
using Frugal.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Frugal.Server.Hosting;

/// <summary>
/// Counts every request by route pattern, method and final status for <c>/metrics</c>. Runs outermost,
/// so it sees the status the error middleware chose and the end of a streamed answer. Labels come from
/// fixed sets (route patterns, the standard methods), so no request can add a series of its own.
/// </summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next, FrugalMetrics metrics)
{
    /// <summary>The route label of requests that matched no endpoint (so raw paths never become series).</summary>
    public const string UnmatchedRoute = "(unmatched)";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = false;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? UnmatchedRoute;
            var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            metrics.RequestCompleted(route, RequestLabels.Method(context.Request.Method), status, Stopwatch.GetElapsedTime(started));
        }
    }
}
