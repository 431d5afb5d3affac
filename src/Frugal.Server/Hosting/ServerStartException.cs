namespace Frugal.Server.Hosting;

/// <summary>The server refuses to start with these options; the message says why and what to do.</summary>
public sealed class ServerStartException : Exception
{
    public ServerStartException() : base("The server cannot start.") { }

    public ServerStartException(string message) : base(message) { }

    public ServerStartException(string message, Exception innerException) : base(message, innerException) { }
}
