namespace Frugal.Storage;

/// <summary>
/// Backups of the store's database: a consistent copy taken while the server runs, and putting one back while
/// it is stopped. One implementation per store (<c>frugal backup</c> picks the one of the store in use).
/// </summary>
public interface IDatabaseBackup
{
    /// <summary>Writes a consistent, self-contained copy to <paramref name="destination"/> (replaced atomically).</summary>
    Task<BackupSummary> BackupAsync(string destination, CancellationToken cancellationToken = default);

    /// <summary>Checks <paramref name="source"/> and puts it in place of the database; the current one is kept aside, never deleted.</summary>
    Task<BackupSummary> RestoreAsync(string source, CancellationToken cancellationToken = default);
}
