using System.Text;
using Frugal.Storage.Postgres;
using Frugal.Tests.Infrastructure;
using Frugal.Users;

namespace Frugal.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class PostgresDatabaseTests(PostgresCluster cluster)
{
    [Fact]
    public async Task CreateAsync_NewUser_KeyIsStoredOnlyAsSaltedHash()
    {
        await using var location = new PostgresLocation(cluster);
        var store = (await location.OpenAsync()).Users;
        var created = await store.CreateAsync("alice", TestContext.Current.CancellationToken);

        var dump = (string?)await cluster.ScalarAsync(await location.UrlAsync(),
            "SELECT string_agg(k::text, '|') || string_agg(encode(k.salt, 'escape') || encode(k.hash, 'escape'), '|') FROM api_keys k;");
        var secret = created.ApiKey[(ApiKeys.Prefix.Length + ApiKeys.LookupIdLength)..];
        Assert.NotNull(dump);
        Assert.DoesNotContain(created.ApiKey, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(Encoding.UTF8.GetBytes(secret)), dump, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Open_WrongPassword_FailsWithOneLineThatHidesThePassword()
    {
        var url = await cluster.CreateDatabaseAsync();

        var error = Assert.Throws<InvalidOperationException>(() => PostgresDatabase.Open(PostgresUrl.ToConnectionString(url, "not-the-password")));
        Assert.Contains(url.Replace("postgres://", "", StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
        Assert.Contains("password", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_MissingDatabase_SaysWhichOne()
    {
        var url = cluster.Url("no_such_database");

        var error = Assert.Throws<InvalidOperationException>(() => PostgresDatabase.Open(cluster.ConnectionString(url)));
        Assert.Contains("no_such_database", error.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Open_PasswordInUrl_Connects()
    {
        var url = await cluster.CreateDatabaseAsync();
        var withPassword = url.Replace("frugal@", $"frugal:{cluster.Password}@", StringComparison.Ordinal);

        await using var database = PostgresDatabase.Open(PostgresUrl.ToConnectionString(withPassword));
        Assert.Equal(PostgresDatabase.LatestSchemaVersion, database.SchemaVersion);
        Assert.DoesNotContain(cluster.Password, database.Description, StringComparison.Ordinal);
    }
}
