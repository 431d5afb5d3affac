using Frugal.Storage.Postgres;
using Frugal.Tests.Contract;

namespace Frugal.Tests.Postgres;

/// <summary>A fresh database in the test run's throwaway cluster, created at first use; every handle is disposed with it.</summary>
public sealed class PostgresLocation(PostgresCluster cluster) : IStoreLocation
{
    private readonly Lazy<Task<string>> _url = new(cluster.CreateDatabaseAsync);
    private readonly List<PostgresDatabase> _opened = [];

    public Task<string> UrlAsync() => _url.Value;

    public async Task<StoreHandle> OpenAsync()
    {
        var database = await OpenDatabaseAsync();
        return new StoreHandle(new PostgresUserStore(database), new PostgresConversationStore(database));
    }

    public async Task<PostgresDatabase> OpenDatabaseAsync()
    {
        var database = PostgresDatabase.Open(cluster.ConnectionString(await UrlAsync()));
        lock (_opened)
        {
            _opened.Add(database);
        }

        return database;
    }

    public async Task<IReadOnlyList<int>> AppliedVersionsAsync()
    {
        var text = (string?)await cluster.ScalarAsync(await UrlAsync(), "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version;");
        return text is null ? [] : text.Split(',').Select(int.Parse).ToList();
    }

    public async Task SeedVersionOneAsync() =>
        await cluster.ScalarAsync(await UrlAsync(),
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL);"
            + PostgresMigrations.All[0].Sql + """
            INSERT INTO schema_version VALUES (1, 'users, api keys, sessions, messages', 0);
            INSERT INTO sessions (id, owner_id, title, system_prompt, created_at, updated_at) VALUES ('ses_old', 'alice', 'old', NULL, 1, 1);
            INSERT INTO messages (session_id, role, content, token_count, finish_reason, status, created_at, updated_at) VALUES
                ('ses_old', 'user', 'hello', 1, NULL, 'complete', 1, 1),
                ('ses_old', 'assistant', 'hi there', 2, 'stop', 'complete', 1, 1),
                ('ses_old', 'user', 'how are you?', 3, NULL, 'complete', 1, 1);
            """);

    public async Task AddFutureVersionAsync(int version) =>
        await cluster.ScalarAsync(await UrlAsync(), $"INSERT INTO schema_version VALUES ({version}, 'from the future', 0);");

    public async Task ExecuteAsync(string sql) => await cluster.ScalarAsync(await UrlAsync(), sql);

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync();
        }
    }
}
