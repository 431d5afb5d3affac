using System.Text;
using Frugal.Storage.Sqlite;
using Frugal.Users;
using Microsoft.Data.Sqlite;

namespace Frugal.Tests.Storage;

public sealed class SqliteUserStoreTests
{
    [Fact]
    public async Task CreateAsync_NewUser_KeyAuthenticatesAndIsNeverStored()
    {
        using var temp = new TempDirectory();
        var database = SqliteDatabase.Open(temp.Path);
        var store = new SqliteUserStore(database);

        var created = await store.CreateAsync("alice", TestContext.Current.CancellationToken);

        Assert.StartsWith(ApiKeys.Prefix, created.ApiKey, StringComparison.Ordinal);
        Assert.Equal(created.User, await store.AuthenticateAsync(created.ApiKey, TestContext.Current.CancellationToken));
        SqliteConnection.ClearAllPools();
        // Neither the key nor its secret part appears in any file of the data directory (database, WAL).
        var secret = created.ApiKey[(ApiKeys.Prefix.Length + ApiKeys.LookupIdLength)..];
        foreach (var file in Directory.GetFiles(temp.Path))
        {
            var bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(created.ApiKey)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
        }
    }

    [Fact]
    public async Task CreateAsync_TwoUsers_GetDifferentKeysThatDoNotCross()
    {
        using var temp = new TempDirectory();
        var store = new SqliteUserStore(SqliteDatabase.Open(temp.Path));
        var alice = await store.CreateAsync("alice", TestContext.Current.CancellationToken);
        var bob = await store.CreateAsync("bob", TestContext.Current.CancellationToken);

        Assert.NotEqual(alice.ApiKey, bob.ApiKey);
        Assert.Equal("alice", (await store.AuthenticateAsync(alice.ApiKey, TestContext.Current.CancellationToken))?.Name);
        Assert.Equal("bob", (await store.AuthenticateAsync(bob.ApiKey, TestContext.Current.CancellationToken))?.Name);
        Assert.Equal(["alice", "bob"], (await store.ListAsync(TestContext.Current.CancellationToken)).Select(u => u.Name));
        Assert.Equal(2, await store.CountActiveAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CreateAsync_DuplicateName_ThrowsAndKeepsTheFirst()
    {
        using var temp = new TempDirectory();
        var store = new SqliteUserStore(SqliteDatabase.Open(temp.Path));
        var first = await store.CreateAsync("alice", TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<DuplicateUserException>(() => store.CreateAsync("alice", TestContext.Current.CancellationToken));
        Assert.Single(await store.ListAsync(TestContext.Current.CancellationToken));
        Assert.NotNull(await store.AuthenticateAsync(first.ApiKey, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("semi;colon")]
    public async Task CreateAsync_BadName_Throws(string name)
    {
        using var temp = new TempDirectory();
        var store = new SqliteUserStore(SqliteDatabase.Open(temp.Path));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(name, TestContext.Current.CancellationToken));
        Assert.Empty(await store.ListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RevokeAsync_User_KeyStopsWorkingAndUserStaysListed()
    {
        using var temp = new TempDirectory();
        var store = new SqliteUserStore(SqliteDatabase.Open(temp.Path));
        var alice = await store.CreateAsync("alice", TestContext.Current.CancellationToken);

        Assert.True(await store.RevokeAsync("alice", TestContext.Current.CancellationToken));
        Assert.False(await store.RevokeAsync("alice", TestContext.Current.CancellationToken));
        Assert.False(await store.RevokeAsync("nobody", TestContext.Current.CancellationToken));
        Assert.Null(await store.AuthenticateAsync(alice.ApiKey, TestContext.Current.CancellationToken));
        Assert.False((await store.ListAsync(TestContext.Current.CancellationToken)).Single().IsActive);
        Assert.Equal(0, await store.CountActiveAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AuthenticateAsync_KeyWithRightLookupIdButWrongSecret_IsRefused()
    {
        using var temp = new TempDirectory();
        var store = new SqliteUserStore(SqliteDatabase.Open(temp.Path));
        var alice = await store.CreateAsync("alice", TestContext.Current.CancellationToken);
        var forged = alice.ApiKey[..(ApiKeys.Prefix.Length + ApiKeys.LookupIdLength)]
            + new string('A', alice.ApiKey.Length - ApiKeys.Prefix.Length - ApiKeys.LookupIdLength);

        Assert.Null(await store.AuthenticateAsync(forged, TestContext.Current.CancellationToken));
        Assert.Null(await store.AuthenticateAsync(alice.ApiKey + "x", TestContext.Current.CancellationToken));
        Assert.Null(await store.AuthenticateAsync(alice.ApiKey.ToUpperInvariant(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void UserNames_Validate_RefusesShellAndLogHostileNames()
    {
        Assert.Null(UserNames.Validate("alice.b_c-1"));
        Assert.NotNull(UserNames.Validate(""));
        Assert.NotNull(UserNames.Validate("a b"));
        Assert.NotNull(UserNames.Validate("a\nb"));
        Assert.NotNull(UserNames.Validate(new string('a', 65)));
    }
}
