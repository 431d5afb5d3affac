namespace Frugal.Cli.Models;

/// <summary>A pull that could not finish: the message says why and what to do; nothing was left at the destination.</summary>
public sealed class PullException : Exception
{
    public PullException()
    {
    }

    public PullException(string message) : base(message)
    {
    }

    public PullException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
