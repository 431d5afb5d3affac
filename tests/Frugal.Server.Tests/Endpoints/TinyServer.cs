using Frugal.DependencyInjection;
using Frugal.Models;
using Frugal.Server.Hosting;
using Frugal.Tests.Infrastructure;

namespace Frugal.Tests.Endpoints;

/// <summary>
/// A real server (the shared <see cref="ServerFixture"/>) that loads the synthesized tiny model,
/// written once per test run as <c>tiny.gguf</c> (so its model id is "tiny"), with the real engine; no idle
/// conversation's KV state is kept unless a test asks for it.
/// </summary>
public sealed class TinyServer : IAsyncLifetime
{
    public const int ContextSize = 512;

    private static readonly Lazy<string> Model = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("frugal-openai-tests-").FullName, "tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        return path;
    });

    private ServerFixture? _server;

    /// <summary>The tiny model file.</summary>
    public static string ModelPath => Model.Value;

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

    public async Task InitializeAsync() => _server = await StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
