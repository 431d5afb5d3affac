using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Frugal.DependencyInjection;
using Frugal.Server.Authentication;
using Frugal.Server.Diagnostics;
using Frugal.Server.Contracts;
using Frugal.Server.Endpoints;
using Frugal.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Frugal.Server.Hosting;

/// <summary>
/// Builds the Frugal HTTP server (Program-less: <c>frugal serve</c> and the tests call <see cref="Build"/>, then
/// <c>StartAsync</c>/<c>RunAsync</c>). The generation stack comes from <c>AddFrugal</c> with the memory governor;
/// this adds only HTTP: Kestrel on <see cref="FrugalServerOptions.Host"/>:<see cref="FrugalServerOptions.Port"/>,
/// the middleware, the endpoints, the Prometheus exporter. The host chooses the store (an <see cref="IUserStore"/>
/// and an <c>IConversationStore</c>) in <c>configure</c>. The model loads in the background and
/// <c>EngineReadiness</c> tells whether it is ready.
/// </summary>
public static class FrugalServer
{
    /// <summary>
    /// Registers the generation stack (options bound from <paramref name="configuration"/>'s sections, see
    /// <see cref="FrugalOptions.SectionNames"/>) and the server (section <see cref="FrugalServerOptions.SectionName"/>),
    /// runs <paramref name="configure"/> (the store, logging, changes in tests), validates every option once and
    /// maps the endpoints. Throws <see cref="ServerStartException"/> (one problem a line) when a setting is invalid
    /// or a non-loopback bind has no user.
    /// </summary>
    public static WebApplication Build(IConfiguration configuration, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });

        // One line per request comes from our own middleware; ASP.NET Core's per-request lines are noise on a small box.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        AddServices(builder.Services, configuration);
        if (SystemdHelpers.IsSystemdService())
        {
            // Journal-friendly log lines (priority prefixes, no colours) and READY=1 once the model is loaded.
            builder.Logging.AddSystemdConsole();
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddHostedService<SystemdReadiness>();
        }

        configure?.Invoke(builder);

        var app = BuildValidated(builder);
        app.UseMiddleware<RequestMetricsMiddleware>();  // outermost: counts the final status of every request
        app.UseMiddleware<InstanceHeaderMiddleware>();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseMiddleware<HostFilterMiddleware>();
        app.Use(RefuseOversizedBodyAsync);
        app.UseStatusCodePages(WriteEmptyStatusAsync);
        app.UseAuthentication();        // the caller's API key, when it sends one
        app.UseAuthorization();         // deny by default: only endpoints that say AllowAnonymous() are public
        app.Use(WatchRevocationAsync);       // a running request of a user revoked meanwhile ends within a second
        app.MapFrugalEndpoints();
        app.MapFrugalWebPage();         // the chat page at "/" (public; its API calls carry the key)
        return app;
    }

    private static void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        // The generation stack, the governor in front of the scheduler, each user's request and token rates.
        services.AddFrugal(configuration).AddFrugalMemoryGovernor().AddFrugalRateLimits();
        services.AddOptions<FrugalServerOptions>()
            .Bind(configuration.GetSection(FrugalServerOptions.SectionName), binder => binder.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FrugalServerOptions>, FrugalServerOptionsValidator>());
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<FrugalServerOptions>>().Value);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<FrugalServerOptions>>(Listen);
        services.AddFrugalPrometheus();
        services.AddFrugalApiKeyAuthentication();
        services.AddSingleton<RevocationWatch>();
        services.AddHostedService(provider => provider.GetRequiredService<RevocationWatch>());
        services.Configure<JsonOptions>(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ServerJsonContext.Default));
        // Binding failures (malformed JSON, wrong types) throw, so ErrorHandlingMiddleware answers them in OpenAI's shape.
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
    }

    // Kestrel reads its options while the app is built, before the settings are validated: with invalid server
    // settings it is left as it is, and the validation that follows reports every problem at once.
    private static void Listen(KestrelServerOptions kestrel, IOptions<FrugalServerOptions> options)
    {
        FrugalServerOptions server;
        try
        {
            server = options.Value;
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidOperationException)
        {
            return;
        }

        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = server.MaxRequestBodySize.Bytes;
        var certificate = LoadCertificate(server);
        Action<ListenOptions> tls = certificate is null ? _ => { } : listen => listen.UseHttps(certificate);
        if (string.Equals(server.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(server.Port, tls);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(server.Host), server.Port, tls);
        }
    }

    // Read once while the app is built: a bad PEM file stops the server with one line, not at the first TLS handshake.
    private static X509Certificate2? LoadCertificate(FrugalServerOptions server)
    {
        if (server.TlsCertificatePath is not { Length: > 0 } certificate || server.TlsKeyPath is not { Length: > 0 } key)
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certificate, key);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new ServerStartException($"cannot use the TLS certificate {certificate} with the key {key}: {e.Message}");
        }
    }

    // Every option once, before anything listens or loads; then the one check that needs the store.
    private static WebApplication BuildValidated(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        try
        {
            Validate(app.Services);
            return app;
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
    }

    private static void Validate(IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (Exception e) when (e is OptionsValidationException or AggregateException or InvalidOperationException)
        {
            throw new ServerStartException(SettingsProblems.Describe(e), e);
        }

        var server = services.GetRequiredService<FrugalServerOptions>();
        IUserStore users;
        try
        {
            // Opens the store now: a database that cannot be opened (or is not private) stops the start with one line.
            users = services.GetService<IUserStore>()
                ?? throw new ServerStartException("No store is registered: add one (e.g. AddFrugalSqlite) in the server's configure step.");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException or InvalidOperationException)
        {
            // InvalidOperationException: a database server that cannot be reached, refuses the login or is newer.
            throw new ServerStartException(e.Message, e);
        }

        // Build is synchronous (like WebApplicationBuilder.Build) and runs once, before anything listens, on a thread
        // with no synchronization context: this one wait cannot deadlock.
#pragma warning disable VSTHRD002
        if (!server.IsLoopback && users.CountActiveAsync().GetAwaiter().GetResult() == 0)
#pragma warning restore VSTHRD002
        {
            throw new ServerStartException(
                $"Refusing to listen on {server.Host}: no user exists in the database, so anyone on the network could " +
                "use the model. Add one first with 'frugal user add NAME --data DIR', or listen on 127.0.0.1.");
        }
    }

    /// <summary>The address the started server listens on, with the real port when <see cref="FrugalServerOptions.Port"/> was 0.</summary>
    public static Uri GetBaseAddress(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("The server has not started.");
        return new Uri(first.EndsWith('/') ? first : first + "/");
    }

    // A declared length over the limit is refused before anything reads the body; a chunked body
    // is cut by Kestrel's limit while being read (BadHttpRequestException 413, see ErrorHandlingMiddleware).
    private static Task RefuseOversizedBodyAsync(HttpContext context, RequestDelegate next)
    {
        var limit = context.RequestServices.GetRequiredService<FrugalServerOptions>().MaxRequestBodySize.Bytes;
        return context.Request.ContentLength > limit
            ? ApiErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than this server accepts ({limit} bytes).", code: "request_too_large")
            : next(context);
    }

    private static async Task WatchRevocationAsync(HttpContext context, RequestDelegate next)
    {
        if (context.TryGetFrugalUser() is not { } user)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        using (context.RequestServices.GetRequiredService<RevocationWatch>().Watch(context, user.Id))
        {
            await next(context).ConfigureAwait(false);
        }
    }

    // Routing answers unknown routes (404) and wrong methods (405) with an empty body; give them ours.
    private static Task WriteEmptyStatusAsync(StatusCodeContext status)
    {
        var context = status.HttpContext;
        var code = context.Response.StatusCode;
        var message = code switch
        {
            StatusCodes.Status404NotFound => $"Unknown route: {RequestLabels.ForLog(context.Request.Method)} {RequestLabels.ForLog(context.Request.Path.Value)}.",
            StatusCodes.Status405MethodNotAllowed => $"Method {RequestLabels.ForLog(context.Request.Method)} is not allowed on {RequestLabels.ForLog(context.Request.Path.Value)}.",
            _ => ReasonPhrases.GetReasonPhrase(code),
        };
        return ApiErrors.WriteAsync(context, code, message, code: code switch
        {
            StatusCodes.Status404NotFound => "unknown_route",
            StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
            _ => null,
        });
    }
}
