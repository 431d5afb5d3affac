using System.Globalization;
using Frugal.Users;
using Microsoft.Data.Sqlite;

namespace Frugal.Storage.Sqlite;

/// <summary>Users and salted key hashes in the SQLite file.</summary>
public sealed class SqliteUserStore(SqliteDatabase database, TimeProvider timeProvider) : IUserStore
{
    private const int SqliteConstraintUnique = 2067;

    public SqliteUserStore(SqliteDatabase database) : this(database, TimeProvider.System)
    {
    }

    public Task<CreatedUser> CreateAsync(string name, CancellationToken cancellationToken = default)
    {
        if (UserNames.Validate(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var now = timeProvider.GetUtcNow();
        var key = ApiKeys.Generate();
        var salt = ApiKeys.NewSalt();
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        long userId;
        try
        {
            using var insertUser = connection.CreateCommand();
            insertUser.Transaction = transaction;
            insertUser.CommandText = "INSERT INTO users (name, created_at) VALUES ($name, $now) RETURNING id;";
            insertUser.Parameters.AddWithValue("$name", name);
            insertUser.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            userId = Convert.ToInt64(insertUser.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintUnique)
        {
            throw new DuplicateUserException($"A user named '{name}' already exists.", e);
        }

        using var insertKey = connection.CreateCommand();
        insertKey.Transaction = transaction;
        insertKey.CommandText = """
            INSERT INTO api_keys (user_id, lookup_id, salt, hash, created_at)
            VALUES ($user, $lookup, $salt, $hash, $now);
            """;
        insertKey.Parameters.AddWithValue("$user", userId);
        insertKey.Parameters.AddWithValue("$lookup", ApiKeys.TryGetLookupId(key));
        insertKey.Parameters.AddWithValue("$salt", salt);
        insertKey.Parameters.AddWithValue("$hash", ApiKeys.Hash(key, salt));
        insertKey.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        insertKey.ExecuteNonQuery();
        transaction.Commit();
        var user = new UserAccount(userId.ToString(CultureInfo.InvariantCulture), name, FromUnix(now.ToUnixTimeMilliseconds()), null);
        return Task.FromResult(new CreatedUser(user, key));
    }

    public Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, created_at, revoked_at FROM users ORDER BY id;";
        using var reader = command.ExecuteReader();
        var users = new List<UserAccount>();
        while (reader.Read())
        {
            users.Add(ReadUser(reader));
        }

        return Task.FromResult<IReadOnlyList<UserAccount>>(users);
    }

    public Task<bool> RevokeAsync(string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var command = RevokingKeys(connection, transaction, name, now, """
            UPDATE users SET revoked_at = $now WHERE name = $name AND revoked_at IS NULL;
            SELECT changes();
            """);
        var changed = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        transaction.Commit();
        return Task.FromResult(changed > 0);
    }

    public Task<CreatedUser?> RotateAsync(string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var key = ApiKeys.Generate();
        var salt = ApiKeys.NewSalt();
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var command = RevokingKeys(connection, transaction, name, now, """
            INSERT INTO api_keys (user_id, lookup_id, salt, hash, created_at)
                SELECT id, $lookup, $salt, $hash, $now FROM users WHERE name = $name;
            UPDATE users SET revoked_at = NULL WHERE name = $name
            RETURNING id, name, created_at, revoked_at;
            """);
        command.Parameters.AddWithValue("$lookup", ApiKeys.TryGetLookupId(key));
        command.Parameters.AddWithValue("$salt", salt);
        command.Parameters.AddWithValue("$hash", ApiKeys.Hash(key, salt));
        UserAccount? user = null;
        using (var reader = command.ExecuteReader())
        {
            if (reader.Read())
            {
                user = ReadUser(reader);
            }
        }

        transaction.Commit();
        return Task.FromResult(user is null ? null : new CreatedUser(user, key));
    }

    public Task<UserAccount?> AuthenticateAsync(string apiKey, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (ApiKeys.TryGetLookupId(apiKey) is not { } lookupId)
        {
            return Task.FromResult<UserAccount?>(null);
        }

        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT u.id, u.name, u.created_at, u.revoked_at, k.salt, k.hash
              FROM api_keys k JOIN users u ON u.id = k.user_id
             WHERE k.lookup_id = $lookup AND k.revoked_at IS NULL AND u.revoked_at IS NULL;
            """;
        command.Parameters.AddWithValue("$lookup", lookupId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return Task.FromResult<UserAccount?>(null);
        }

        var salt = (byte[])reader.GetValue(4);
        var hash = (byte[])reader.GetValue(5);
        return Task.FromResult(ApiKeys.Verify(apiKey, salt, hash) ? ReadUser(reader) : null);
    }

    public Task<int> CountActiveAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM users WHERE revoked_at IS NULL;";
        return Task.FromResult(Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture));
    }

    // One command in the transaction: every live key of the user named $name revoked at $now, then the statements of
    // `then` (revoke and rotate both start by taking the old keys away).
    private static SqliteCommand RevokingKeys(SqliteConnection connection, SqliteTransaction transaction, string name, long now, string then)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            UPDATE api_keys SET revoked_at = $now
             WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE name = $name);

            """ + then;
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$now", now);
        return command;
    }

    private static UserAccount ReadUser(SqliteDataReader reader) => new(
        reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
        reader.GetString(1),
        FromUnix(reader.GetInt64(2)),
        reader.IsDBNull(3) ? null : FromUnix(reader.GetInt64(3)));

    internal static DateTimeOffset FromUnix(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
}
