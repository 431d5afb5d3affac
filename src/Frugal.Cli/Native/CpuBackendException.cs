namespace Frugal.Cli.Native;

/// <summary>A CPU backend named explicitly (<c>--native-library frugal</c>) that cannot be loaded here: the message says why and what to do.</summary>
public sealed class CpuBackendException : Exception
{
    public CpuBackendException()
    {
    }

    public CpuBackendException(string message) : base(message)
    {
    }

    public CpuBackendException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
