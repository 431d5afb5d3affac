using Frugal.Server.Endpoints;
using Microsoft.AspNetCore.Routing;

namespace Frugal.Server.Hosting;

/// <summary>The table of contents of the HTTP surface: one line per API.</summary>
public static class FrugalEndpoints
{
    /// <summary>Maps every API. Each lives in its own static <c>…Api</c> class under <c>Endpoints/</c>.</summary>
    public static IEndpointRouteBuilder MapFrugalEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapSessionsApi();     // /api/sessions: conversations kept by the server
        return endpoints;
    }
}
