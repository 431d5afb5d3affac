namespace Frugal.Cli.Native;

/// <summary>A <c>native build</c> that could not finish: the message says why and what to do; nothing was installed.</summary>
public sealed class BuildException : Exception
{
    public BuildException()
    {
    }

    public BuildException(string message) : base(message)
    {
    }

    public BuildException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
