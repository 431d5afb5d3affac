namespace Frugal.Testing;

/// <summary>
/// The tiny model with its whole context (2,048 tokens) on a server of its own: tool descriptions take a few hundred of
/// its character-sized tokens, more than <see cref="TinyServer"/>'s context leaves.
/// </summary>
public sealed class LongContextServer : IAsyncLifetime
{
    /// <summary>The context this server runs.</summary>
    public const int ContextSize = 2048;

    private ServerFixture? _server;

    public ServerFixture Server => _server ?? throw new InvalidOperationException("The server is not started.");

    public async ValueTask InitializeAsync() => _server = await TinyServer.StartAsync(o => o.Model.ContextSize = ContextSize);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
