using System.Net;
using System.Net.Sockets;
using Frugal.Server.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Hosting;

/// <summary>
/// Refuses requests whose Host header is not a name this server answers to, so a page on another
/// site cannot reach it through DNS rebinding (its requests carry the attacker's host name). Allowed:
/// localhost, 127.0.0.1, [::1], the bound address and <see cref="FrugalServerOptions.AllowedHosts"/>.
/// </summary>
internal sealed class HostFilterMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<HostFilterMiddleware> _logger;
    private readonly HashSet<string> _allowed = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]" };
    private readonly bool _allowAny;

    public HostFilterMiddleware(RequestDelegate next, FrugalServerOptions options, ILogger<HostFilterMiddleware> logger)
    {
        _next = next;
        _logger = logger;
        foreach (var name in options.AllowedHosts.Append(options.Host))
        {
            var trimmed = name.Trim();
            if (trimmed == "*")
            {
                _allowAny = true;
            }
            else if (IPAddress.TryParse(trimmed.Trim('[', ']'), out var address) && address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                _allowed.Add($"[{address}]");
            }
            else if (trimmed.Length > 0)
            {
                _allowed.Add(trimmed);
            }
        }
    }

    public Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Host;
        if (_allowAny || (host.HasValue && _allowed.Contains(host.Host.TrimEnd('.'))))
        {
            return _next(context);
        }

        Log.HostRefused(_logger, RequestLabels.ForLog(host.Value), RequestLabels.ForLog(context.Request.Path.Value));
        return ApiErrors.WriteAsync(context, StatusCodes.Status403Forbidden,
            "This server does not answer to that Host name. Add it with --allowed-hosts if it is yours.", code: "host_not_allowed");
    }
}
