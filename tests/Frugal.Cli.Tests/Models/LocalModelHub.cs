namespace Frugal.Tests.Models;

/// <summary>
/// What the pull tests start with: a temporary directory, a <see cref="ModelFileServer"/> on loopback, and the tiny
/// model's bytes and SHA-256 to serve from it.
/// </summary>
internal sealed class LocalModelHub : IAsyncDisposable
{
    private LocalModelHub(TempDirectory temp, ModelFileServer server, TinyModelFile model)
    {
        Temp = temp;
        Server = server;
        Model = model.Bytes;
        Sha256 = model.Sha256;
    }

    public TempDirectory Temp { get; }

    public ModelFileServer Server { get; }

    public byte[] Model { get; }

    public string Sha256 { get; }

    public static async Task<LocalModelHub> StartAsync()
    {
        var temp = new TempDirectory();
        var server = await ModelFileServer.StartAsync();
        return new LocalModelHub(temp, server, await TinyModelFile.WriteAsync(temp));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Temp.Dispose();
    }
}
