using Frugal.Inference;
using Frugal.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Frugal.Testing;

/// <summary>
/// A real server (the shared <see cref="ServerFixture"/>) that loads the synthesized tiny model,
/// <see cref="TestModels.Tiny"/> (so its model id is "tiny"), with the real engine.
/// </summary>
public sealed class TinyServer : IAsyncLifetime
{
    public const int ContextSize = 512;

    private ServerFixture? _server;

    /// <summary>The tiny model file.</summary>
    public static string ModelPath => TestModels.Tiny;

    public ServerFixture Server => _server ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Points <paramref name="options"/> at the tiny model and the real engine.</summary>
    public static void Configure(FrugalServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ModelPath = ModelPath;
        options.ContextSize = ContextSize;
        options.EngineFactory = async (o, loggers, ct) => await LlamaEngine.LoadAsync(
            new EngineOptions { ModelPath = o.ModelPath, ContextSize = o.ContextSize ?? 0 }, loggers.CreateLogger<LlamaEngine>(), ct);
    }

    /// <summary>Starts a server of its own with the tiny model and further changes.</summary>
    public static Task<ServerFixture> StartAsync(Action<FrugalServerOptions>? configure = null) =>
        ServerFixture.StartAsync(o =>
        {
            Configure(o);
            configure?.Invoke(o);
        });

    public async ValueTask InitializeAsync() => _server = await StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
