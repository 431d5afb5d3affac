using Frugal.DependencyInjection;
using Frugal.Server.Hosting;

namespace Frugal.Testing;

/// <summary>
/// A real server (the shared <see cref="ServerFixture"/>) that loads the synthesized tiny model,
/// <see cref="TestModels.Tiny"/> (so its model id is "tiny"), with the real engine; no idle conversation's KV
/// state is kept unless a test asks for it.
/// </summary>
public sealed class TinyServer : IAsyncLifetime
{
    public const int ContextSize = 512;

    private ServerFixture? _server;

    /// <summary>The tiny model file.</summary>
    public static string ModelPath => TestModels.Tiny;

    public ServerFixture Server => _server ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Points <paramref name="options"/> at the tiny model; with <paramref name="keepStates"/> false, keeps no idle state.</summary>
    public static void Configure(FrugalOptions options, bool keepStates = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Model.Path = ModelPath;
        options.Model.ContextSize = ContextSize;
        if (!keepStates)
        {
            options.SessionState.Directory = null;
        }
    }

    /// <summary>Starts a server of its own with the tiny model and further changes.</summary>
    public static Task<ServerFixture> StartAsync(Action<FrugalOptions>? configure = null, bool keepStates = false, Action<FrugalServerOptions>? server = null) =>
        ServerFixture.StartAsync(
            o =>
            {
                Configure(o, keepStates);
                configure?.Invoke(o);
            },
            server);

    public async ValueTask InitializeAsync() => _server = await StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
