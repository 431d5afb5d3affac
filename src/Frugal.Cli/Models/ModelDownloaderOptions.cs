namespace Frugal.Cli.Models;

/// <summary>How hard a download tries before it gives up, and the seams tests replace.</summary>
internal sealed class ModelDownloaderOptions
{
    /// <summary>Resumes after a lost connection within one run; after the last the partial file stays for the next run.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>Wait before the first resume (then twice, three times that).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A read that brings nothing for this long counts as a lost connection.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Free bytes for the directory (the file system it is on).</summary>
    public Func<string, long> FreeBytes { get; init; } = directory => new DriveInfo(directory).AvailableFreeSpace;
}
