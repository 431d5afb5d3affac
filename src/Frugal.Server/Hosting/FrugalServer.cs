using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Frugal.Caching;
using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Inference.State;
using Frugal.Memory;
using Frugal.Server.Contracts;
using Frugal.Server.Endpoints;
using Frugal.Storage.Sqlite;
using Frugal.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Hosting;

/// <summary>
/// Builds the Frugal HTTP server (Program-less: <c>frugal serve</c> and the tests call
/// <see cref="Build"/>, then <c>StartAsync</c>/<c>RunAsync</c>). Kestrel listens on
/// <see cref="FrugalServerOptions.Host"/>:<see cref="FrugalServerOptions.Port"/> at once; the model loads in the
/// background and <see cref="EngineReadiness"/> (a singleton) tells whether it is ready.
/// </summary>
public static class FrugalServer
{
    /// <summary>
    /// Validates <paramref name="options"/>, opens (and migrates) the database, registers the services
    /// and the middleware, and maps <see cref="FrugalEndpoints.MapFrugalEndpoints"/>.
    /// <paramref name="configure"/> runs last on the builder (logging levels, extra services in tests).
    /// Throws <see cref="ServerStartException"/> when the options are invalid or a non-loopback bind has no user.
    /// </summary>
    public static WebApplication Build(FrugalServerOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } problems)
        {
            throw new ServerStartException(string.Join(Environment.NewLine, problems));
        }

        SqliteDatabase database;
        try
        {
            database = SqliteDatabase.Open(options.DataDirectory);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ServerStartException(e.Message);
        }

        var users = new SqliteUserStore(database);
        if (!options.IsLoopback && users.CountActiveAsync().GetAwaiter().GetResult() == 0)
        {
            throw new ServerStartException(
                $"Refusing to listen on {options.Host}: no user exists in {database.FilePath}, so anyone on the network could " +
                "use the model. Add one first with 'frugal user add NAME --data DIR', or listen on 127.0.0.1.");
        }

        var certificate = LoadCertificate(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });

        // One line per request comes from our own middleware; ASP.NET Core's per-request lines are noise on a small box.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            Action<ListenOptions> tls = certificate is null ? _ => { } : listen => listen.UseHttps(certificate);
            if (string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.ListenLocalhost(options.Port, tls);
            }
            else
            {
                kestrel.Listen(IPAddress.Parse(options.Host), options.Port, tls);
            }
        });

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddSingleton<IUserStore>(users);
        services.AddSingleton<IConversationStore, SqliteConversationStore>();
        services.AddSingleton<EngineReadiness>();
        services.AddSingleton(new ResponseCache(new ResponseCacheOptions { MaxBytes = options.ResponseCacheSize }));
        services.AddSingleton<IMemoryReleaser>(provider => provider.GetRequiredService<ResponseCache>());
        services.AddHostedService<EngineLoader>();
        if (SystemdHelpers.IsSystemdService())
        {
            // Journal-friendly log lines (priority prefixes, no colours) and READY=1 once the model is loaded.
            builder.Logging.AddSystemdConsole();
            services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            services.AddHostedService<SystemdReadiness>();
        }
        if (options.EngineFactory is null && File.Exists(options.ModelPath))
        {
            // Idle sessions' KV states under {data}/kv, so a session's next turn need not re-read its history.
            services.TryAddSingleton<ISessionStateStore>(provider => new TieredSessionStateStore(
                new TieredSessionStateStoreOptions
                {
                    DataDirectory = options.DataDirectory,
                    ModelIdentity = ModelFileIdentity.Compute(options.ModelPath),
                    MemoryBudget = options.SessionStateMemoryBudget,
                    DiskBudget = options.SessionStateDiskBudget,
                },
                provider.GetService<ILogger<TieredSessionStateStore>>()));

            // Under memory pressure the governor moves the RAM tier of kept states to disk.
            services.AddSingleton<IMemoryReleaser>(provider => new SessionStateReleaser(provider.GetRequiredService<ISessionStateStore>()));
        }

        services.AddSingleton<ConversationService>();
        services.AddFrugalServerGeneration(options);  // scheduler, IChatClient, metrics (/metrics)
        services.Configure<JsonOptions>(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ServerJsonContext.Default));
        // Binding failures (malformed JSON, wrong types) throw, so ErrorHandlingMiddleware answers them in OpenAI's shape.
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseMiddleware<RequestMetricsMiddleware>();  // outermost: counts the final status of every request
        app.UseMiddleware<InstanceHeaderMiddleware>();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseMiddleware<HostFilterMiddleware>();
        app.Use(RefuseOversizedBody);
        app.UseStatusCodePages(WriteEmptyStatusAsync);
        app.UseMiddleware<ApiKeyMiddleware>();
        app.MapFrugalEndpoints();
        app.MapFrugalWebPage();         // the chat page at "/" (public; its API calls carry the key)
        return app;
    }

    // Read once at start: a bad PEM file stops the server with one line, not at the first TLS handshake.
    private static X509Certificate2? LoadCertificate(FrugalServerOptions options)
    {
        if (options.TlsCertificatePath is not { } certificate || options.TlsKeyPath is not { } key)
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
    private static Task RefuseOversizedBody(HttpContext context, RequestDelegate next)
    {
        var limit = context.RequestServices.GetRequiredService<FrugalServerOptions>().MaxRequestBodyBytes;
        return context.Request.ContentLength > limit
            ? ApiErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than this server accepts ({limit} bytes).", code: "request_too_large")
            : next(context);
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
