using System.Net.Http.Headers;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Server.Hosting;
using Frugal.Storage.Postgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Frugal.Tests.Infrastructure;

/// <summary>
/// One real Frugal instance (Kestrel on a free loopback port, the real engine on the synthesized tiny
/// model, its own data directory for KV states) whose store is a PostgreSQL database shared with others.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private static readonly Lazy<string> Model = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("frugal-storage-tests-").FullName, "tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        return path;
    });

    private readonly string _dataDirectory;
    private readonly PostgresDatabase _database;
    private readonly WebApplication _app;

    private PostgresServer(string dataDirectory, PostgresDatabase database, WebApplication app)
    {
        _dataDirectory = dataDirectory;
        _database = database;
        _app = app;
    }

    public Uri BaseAddress => _app.GetBaseAddress();

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts an instance named <paramref name="name"/> on the database <paramref name="connectionString"/>.</summary>
    public static async Task<PostgresServer> StartAsync(string name, string connectionString, TimeSpan leaseWait)
    {
        var database = PostgresDatabase.Open(connectionString);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "frugal-instance-" + Guid.NewGuid().ToString("N"));
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Model:Path"] = Model.Value,
            ["Model:ContextSize"] = "512",
            ["SessionState:Directory"] = dataDirectory,
            ["Server:Port"] = "0",
            ["Server:InstanceName"] = name,
        }).Build();
        var app = FrugalServer.Build(settings, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Services.AddFrugalPostgresStore(database, leaseWait);
        });
        var server = new PostgresServer(dataDirectory, database, app);
        await app.StartAsync();
        await app.Services.GetRequiredService<EngineReadiness>().WhenLoaded;
        return server;
    }

    public HttpClient CreateClient(string apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
