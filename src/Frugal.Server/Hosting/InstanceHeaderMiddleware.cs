using Microsoft.AspNetCore.Http;

namespace Frugal.Server.Hosting;

/// <summary>
/// Every response names the instance that answered in <c>X-Frugal-Instance</c>, so routing behind a load
/// balancer can be checked (and a bench can tell which instance holds a session's KV state). The name is
/// <see cref="FrugalServerOptions.InstanceName"/>, or this machine's name and the port the request came in on.
/// </summary>
internal sealed class InstanceHeaderMiddleware(RequestDelegate next, FrugalServerOptions options)
{
    public const string HeaderName = "X-Frugal-Instance";

    public Task InvokeAsync(HttpContext context)
    {
        var name = options.InstanceName ?? $"{Environment.MachineName}:{context.Connection.LocalPort}";
        // At the start of the response: error handling clears the headers set before it.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = name;
            return Task.CompletedTask;
        });
        return next(context);
    }
}
