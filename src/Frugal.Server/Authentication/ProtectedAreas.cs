using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Frugal.Server.Authentication;

/// <summary>
/// The first path segments (<c>v1</c>, <c>api</c>, <c>status</c>, …) under which some endpoint needs a key,
/// read from the endpoint map itself (not kept in step with it by hand): a request anywhere under one of them
/// needs a key too, even when it matches no endpoint or the wrong method.
/// </summary>
internal sealed class ProtectedAreas(EndpointDataSource endpoints)
{
    private HashSet<string>? _segments;
    private bool _everywhere;

    /// <summary>Whether <paramref name="context"/>'s path lies in a protected area.</summary>
    public bool Contains(HttpContext context)
    {
        var segments = _segments ??= Read();
        if (_everywhere)
        {
            return true;
        }

        var path = context.Request.Path.Value ?? "";
        var start = path.StartsWith('/') ? 1 : 0;
        var end = path.IndexOf('/', start);
        return segments.Contains(end < 0 ? path[start..] : path[start..end]);
    }

    private HashSet<string> Read()
    {
        var segments = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                continue;
            }

            if (endpoint.RoutePattern.PathSegments is [{ Parts: [RoutePatternLiteralPart literal] }, ..])
            {
                segments.Add(literal.Content);
            }
            else if (endpoint.RoutePattern.PathSegments.Count > 0)
            {
                _everywhere = true;   // a protected route that starts with a parameter: every path may be one of its
            }
        }

        return segments;
    }
}
