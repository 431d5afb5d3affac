namespace Frugal.Cli.Monitor;

/// <summary>
/// Where <c>frugal monitor</c> finds its API key: a file (<c>--key-file</c>, first line) or the
/// <c>FRUGAL_API_KEY</c> variable — never a command-line value, which every user of the machine can
/// read in the process list.
/// </summary>
internal static class MonitorKey
{
    /// <summary>The environment variable that holds the key.</summary>
    public const string EnvironmentVariable = "FRUGAL_API_KEY";

    /// <summary>
    /// The key from <paramref name="keyFile"/> when given, else from <paramref name="environment"/>; null when
    /// neither has one. Throws <see cref="IOException"/> with a sentence for the user when the file cannot be read or is empty.
    /// </summary>
    public static string? Read(string? keyFile, string? environment)
    {
        if (keyFile is null)
        {
            return string.IsNullOrWhiteSpace(environment) ? null : environment.Trim();
        }

        string text;
        try
        {
            text = File.ReadAllText(keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read the key file {keyFile}: {e.Message}", e);
        }

        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 0 ? line : throw new IOException($"the key file {keyFile} is empty.");
    }
}
