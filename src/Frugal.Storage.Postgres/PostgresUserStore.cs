using System.Globalization;
using Frugal.Users;
using Npgsql;

namespace Frugal.Storage.Postgres;

/// <summary>
/// Users and salted key hashes in PostgreSQL (hashed exactly as in SQLite, through <see cref="ApiKeys"/>).
/// Every request is authenticated against the table, so a key revoked by any instance or by
/// <c>frugal user revoke</c> stops working on all instances at their next request.
/// </summary>
public sealed class PostgresUserStore(PostgresDatabase database, TimeProvider timeProvider) : IUserStore
{
    private const string UniqueViolation = "23505";

    public PostgresUserStore(PostgresDatabase database) : this(database, TimeProvider.System)
    {
    }

    public async Task<CreatedUser> CreateAsync(string name, CancellationToken cancellationToken = default)
    {
        if (UserNames.Validate(name) is { } problem)
        {
            throw new ArgumentException(problem, nameof(name));
        }

        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var key = ApiKeys.Generate();
        var salt = ApiKeys.NewSalt();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        long userId;
        try
        {
            await using var insertUser = new NpgsqlCommand("INSERT INTO users (name, created_at) VALUES ($1, $2) RETURNING id;", connection, transaction)
            {
                Parameters = { new() { Value = name }, new() { Value = now } },
            };
            userId = (long)(await insertUser.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        catch (PostgresException e) when (e.SqlState == UniqueViolation)
        {
            throw new DuplicateUserException($"A user named '{name}' already exists.", e);
        }

        await using var insertKey = new NpgsqlCommand("""
            INSERT INTO api_keys (user_id, lookup_id, salt, hash, created_at) VALUES ($1, $2, $3, $4, $5);
            """, connection, transaction)
        {
            Parameters =
            {
                new() { Value = userId },
                new() { Value = ApiKeys.TryGetLookupId(key)! },
                new() { Value = salt },
                new() { Value = ApiKeys.Hash(key, salt) },
                new() { Value = now },
            },
        };
        await insertKey.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        var user = new UserAccount(userId.ToString(CultureInfo.InvariantCulture), name, DateTimeOffset.FromUnixTimeMilliseconds(now), null);
        return new CreatedUser(user, key);
    }

    public async Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT id, name, created_at, revoked_at FROM users ORDER BY id;", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var users = new List<UserAccount>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            users.Add(ReadUser(reader));
        }

        return users;
    }

    public async Task<bool> RevokeAsync(string name, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One statement: both updates see the same snapshot and commit together.
        await using var command = new NpgsqlCommand("""
            WITH keys AS (
                UPDATE api_keys SET revoked_at = $2
                 WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE name = $1)),
            revoked AS (
                UPDATE users SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL RETURNING id)
            SELECT COUNT(*) FROM revoked;
            """, connection)
        {
            Parameters = { new() { Value = name }, new() { Value = now } },
        };
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0;
    }

    public async Task<CreatedUser?> RotateAsync(string name, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var key = ApiKeys.Generate();
        var salt = ApiKeys.NewSalt();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // One statement (the same snapshot for all parts): revoke the old keys, add the new one, make the user active.
        await using var command = new NpgsqlCommand("""
            WITH target AS (SELECT id FROM users WHERE name = $1),
            old AS (UPDATE api_keys SET revoked_at = $2 WHERE revoked_at IS NULL AND user_id = (SELECT id FROM target)),
            added AS (INSERT INTO api_keys (user_id, lookup_id, salt, hash, created_at) SELECT id, $3, $4, $5, $2 FROM target),
            back AS (UPDATE users SET revoked_at = NULL WHERE id = (SELECT id FROM target) RETURNING id, name, created_at, revoked_at)
            SELECT id, name, created_at, revoked_at FROM back;
            """, connection, transaction)
        {
            Parameters =
            {
                new() { Value = name },
                new() { Value = now },
                new() { Value = ApiKeys.TryGetLookupId(key)! },
                new() { Value = salt },
                new() { Value = ApiKeys.Hash(key, salt) },
            },
        };
        UserAccount? user = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                user = ReadUser(reader);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return user is null ? null : new CreatedUser(user, key);
    }

    public async Task<UserAccount?> AuthenticateAsync(string apiKey, CancellationToken cancellationToken = default)
    {
        if (ApiKeys.TryGetLookupId(apiKey) is not { } lookupId)
        {
            return null;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("""
            SELECT u.id, u.name, u.created_at, u.revoked_at, k.salt, k.hash
              FROM api_keys k JOIN users u ON u.id = k.user_id
             WHERE k.lookup_id = $1 AND k.revoked_at IS NULL AND u.revoked_at IS NULL;
            """, connection)
        {
            Parameters = { new() { Value = lookupId } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var salt = await reader.GetFieldValueAsync<byte[]>(4, cancellationToken).ConfigureAwait(false);
        var hash = await reader.GetFieldValueAsync<byte[]>(5, cancellationToken).ConfigureAwait(false);
        return ApiKeys.Verify(apiKey, salt, hash) ? ReadUser(reader) : null;
    }

    public async Task<int> CountActiveAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM users WHERE revoked_at IS NULL;", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static UserAccount ReadUser(NpgsqlDataReader reader) => new(
        reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
        reader.GetString(1),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
        reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
}
