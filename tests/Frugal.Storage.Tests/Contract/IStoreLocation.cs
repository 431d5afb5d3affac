namespace Frugal.Tests.Contract;

/// <summary>
/// Where one contract test keeps its store (a fresh SQLite directory, a fresh PostgreSQL database),
/// and the store-specific hooks the contract needs.
/// </summary>
public interface IStoreLocation : IAsyncDisposable
{
    /// <summary>Opens (creating and migrating) the store here; each call is a new handle, like another process.</summary>
    Task<StoreHandle> OpenAsync();

    /// <summary>The schema versions recorded in <c>schema_version</c>, in order.</summary>
    Task<IReadOnlyList<int>> AppliedVersionsAsync();

    /// <summary>
    /// Writes, where nothing was opened yet, a database as Frugal left it at schema version 1 (before message versions):
    /// alice's session <c>ses_old</c> with a user's message, a reply and a user's message, oldest first.
    /// </summary>
    Task SeedVersionOneAsync();

    /// <summary>Records a schema version this Frugal does not know (a database from a newer one).</summary>
    Task AddFutureVersionAsync(int version);

    /// <summary>Runs SQL the store's dialect and SQLite share (for taking a database back to an older schema).</summary>
    Task ExecuteAsync(string sql);
}
