using System.Net.Http.Headers;
using Frugal.Conversations;
using Frugal.DependencyInjection;
using Frugal.Inference;
using Frugal.Server.Hosting;
using Frugal.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Frugal.Testing;

/// <summary>
/// A real Frugal server for tests: a temporary data directory with a real SQLite file, two users
/// (<c>alice</c>, <c>bob</c>) added through the user store, the tiny synthesized model loaded by the
/// real engine, and Kestrel listening on 127.0.0.1 on a free port. Nothing is mocked.
/// </summary>
/// <remarks>
/// <para>Shared by a test class (one server for all its tests; keep tests independent, e.g. each makes its own session):</para>
/// <code>
/// public sealed class MyApiTests(ServerFixture server) : IClassFixture&lt;ServerFixture&gt;
/// {
///     [Fact]
///     public async Task Get_WithKey_Answers()
///     {
///         using var client = server.CreateClient();            // Authorization: Bearer alice's key
///         var response = await client.GetAsync("api/sessions"); // relative to BaseAddress
///     }
/// }
/// </code>
/// <para>Own server with other options (the generation stack's, the server's), disposed by the test:</para>
/// <code>
/// await using var server = await ServerFixture.StartAsync(o => o.Scheduler.MaxQueueDepth = 1);
/// await using var server = await ServerFixture.StartAsync(server: s => s.AllowedHosts.Add("frugal.lan"));
/// </code>
/// <para>The per-user request and token rates are off unless a test sets them (<c>o.RateLimits</c>).</para>
/// <para><see cref="RestartAsync"/> stops the server and starts a new one on the same data directory
/// (same users and keys). <see cref="CreateClient(string?)"/> with null sends no key. The server's
/// services (the user store, <see cref="EngineReadiness"/>, …) are reachable through <see cref="App"/>.</para>
/// </remarks>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly Action<FrugalOptions>? _configure;
    private readonly Action<FrugalServerOptions>? _configureServer;
    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);
    private readonly TempDirectory _data = new();
    private WebApplication? _app;

    /// <summary>A fixture with the default options (used by <c>IClassFixture&lt;ServerFixture&gt;</c>).</summary>
    public ServerFixture()
        : this(null, null)
    {
    }

    private ServerFixture(Action<FrugalOptions>? configure, Action<FrugalServerOptions>? configureServer)
    {
        _configure = configure;
        _configureServer = configureServer;
        DataDirectory = _data.Path;
    }

    /// <summary>The users the fixture adds, in order.</summary>
    public static IReadOnlyList<string> UserNames { get; } = ["alice", "bob"];

    /// <summary>The temporary data directory (deleted on dispose); the database is <see cref="DatabasePath"/>.</summary>
    public string DataDirectory { get; }

    /// <summary>The SQLite file of the server.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, SqliteDatabase.FileName);

    /// <summary>The running server.</summary>
    public WebApplication App => _app ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The generation options the server runs with (after the fixture's defaults and the caller's changes).</summary>
    public FrugalOptions Options => App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FrugalOptions>>().Value;

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:41234/</c> (trailing slash: use relative paths like <c>"api/sessions"</c>).</summary>
    public Uri BaseAddress => App.GetBaseAddress();

    /// <summary>API keys by user name (<see cref="UserNames"/>).</summary>
    public IReadOnlyDictionary<string, string> Keys => _keys;

    /// <summary>alice's API key.</summary>
    public string AliceKey => _keys["alice"];

    /// <summary>bob's API key.</summary>
    public string BobKey => _keys["bob"];

    /// <summary>Starts a fixture of its own with changed options; dispose it (<c>await using</c>).</summary>
    public static async Task<ServerFixture> StartAsync(Action<FrugalOptions>? configure = null, Action<FrugalServerOptions>? server = null)
    {
        var fixture = new ServerFixture(configure, server);
        await fixture.InitializeAsync();
        return fixture;
    }

    /// <summary>
    /// Builds (does not start) a server of its own from <paramref name="settings"/> (keys like <c>Server:Host</c>) on
    /// loopback port 0, with no model unless <c>Model:Path</c> is given and its SQLite file in <paramref name="dataDirectory"/>;
    /// logging off unless <paramref name="configure"/> adds a provider. Throws what <see cref="FrugalServer.Build"/> throws.
    /// </summary>
    public static WebApplication Build(string dataDirectory, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Model:Path"] = Path.Combine(dataDirectory, "none.gguf"),
            ["Server:Port"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        return FrugalServer.Build(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddFrugalSqlite(Path.Combine(dataDirectory, SqliteDatabase.FileName));
            configure?.Invoke(builder);
        });
    }

    /// <summary>The server's conversation store, observed: a test waits on its events instead of polling.</summary>
    public ObservedConversationStore Store => (ObservedConversationStore)App.Services.GetRequiredService<IConversationStore>();

    /// <summary>A client for <see cref="BaseAddress"/> sending <paramref name="apiKey"/> as bearer (alice's by default; null: no header).</summary>
    public HttpClient CreateClient(string? apiKey = "") => CreateClient(apiKey, BaseAddress);

    /// <summary>A client with a bearer key, or none when <paramref name="apiKey"/> is null; empty means alice's key.</summary>
    public HttpClient CreateClient(string? apiKey, Uri baseAddress)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey.Length == 0 ? AliceKey : apiKey);
        }

        return client;
    }

    /// <summary>Adds the users (first start only), starts the server and waits for the model to load.</summary>
    public async ValueTask InitializeAsync()
    {
        if (_keys.Count == 0)
        {
            var users = new SqliteUserStore(SqliteDatabase.Open(DataDirectory));
            foreach (var name in UserNames)
            {
                _keys[name] = (await users.CreateAsync(name)).ApiKey;
            }
        }

        _app = FrugalServer.Build(new ConfigurationBuilder().Build(), builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddFrugalSqlite(DatabasePath);
            Observe(builder.Services);
            builder.Services.Configure<FrugalOptions>(options =>
            {
                TestEngine.Configure(options);
                options.SessionState.Directory = DataDirectory;
                // A shared server answers a whole test class as one user within seconds; the rates have tests of their own.
                options.RateLimits.RequestsPerMinute = 0;
                options.RateLimits.TokensPerMinute = 0;
                _configure?.Invoke(options);
            });
            builder.Services.Configure<FrugalServerOptions>(server =>
            {
                server.Port = 0;
                _configureServer?.Invoke(server);
            });
        });
        await _app.StartAsync();
        if (!string.IsNullOrEmpty(Options.Model.Path))
        {
            // Faults (with the reason) when the model cannot load, failing the test that needed it.
            await _app.Services.GetRequiredService<EngineReadiness>().WhenLoaded;
        }
    }

    /// <summary>Stops the server and starts a new one on the same data directory, model and keys.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await InitializeAsync();
    }

    /// <summary>Stops the server and deletes the data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _data.Dispose();
    }

    // The SQLite store AddFrugalSqlite registered, wrapped in an ObservedConversationStore.
    private static void Observe(IServiceCollection services)
    {
        var store = services.Last(d => d.ServiceType == typeof(IConversationStore));
        services.Remove(store);
        var create = store.ImplementationFactory ?? throw new InvalidOperationException("AddFrugalSqlite registers its store through a factory.");
        services.AddSingleton<IConversationStore>(provider => new ObservedConversationStore((IConversationStore)create(provider)));
    }

    private async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
