using Frugal.Storage.Sqlite;
using Frugal.Tests.Contract;
using Microsoft.Data.Sqlite;

namespace Frugal.Tests.Sqlite;

/// <summary>A fresh data directory with a real SQLite file, deleted on dispose.</summary>
public sealed class SqliteLocation : IStoreLocation
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "frugal-store-" + Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(_directory, SqliteDatabase.FileName);

    public Task<StoreHandle> OpenAsync()
    {
        var database = SqliteDatabase.Open(_directory);
        return Task.FromResult(new StoreHandle(new SqliteUserStore(database), new SqliteConversationStore(database)));
    }

    public async Task<IReadOnlyList<int>> AppliedVersionsAsync()
    {
        var versions = new List<int>();
        await using var connection = Connect();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_version ORDER BY version;";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    public async Task SeedVersionOneAsync()
    {
        Directory.CreateDirectory(_directory);
        await using var connection = Connect();
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL);"
            + SqliteMigrations.All[0].Sql + """
            INSERT INTO schema_version VALUES (1, 'users, api keys, sessions, messages', 0);
            INSERT INTO sessions (id, owner_id, title, system_prompt, created_at, updated_at) VALUES ('ses_old', 'alice', 'old', NULL, 1, 1);
            INSERT INTO messages (session_id, role, content, token_count, finish_reason, status, created_at, updated_at) VALUES
                ('ses_old', 'user', 'hello', 1, NULL, 'complete', 1, 1),
                ('ses_old', 'assistant', 'hi there', 2, 'stop', 'complete', 1, 1),
                ('ses_old', 'user', 'how are you?', 3, NULL, 'complete', 1, 1);
            """;
        await command.ExecuteNonQueryAsync();
    }

    public async Task AddFutureVersionAsync(int version)
    {
        await using var connection = Connect();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO schema_version VALUES ($v, 'from the future', 0);";
        command.Parameters.AddWithValue("$v", version);
        await command.ExecuteNonQueryAsync();
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = Connect();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }
}
