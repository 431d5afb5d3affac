using Frugal.Users;

namespace Frugal.Tests.Contract;

/// <summary>What every user store must do: keys that authenticate, never cross, and stop working for every handle once revoked.</summary>
public abstract class UserStoreContractTests(Func<IStoreLocation> createLocation) : StoreContractBase(createLocation)
{
    [Fact]
    public async Task CreateAsync_NewUser_KeyAuthenticates()
    {
        var created = await Store.Users.CreateAsync("alice", TestContext.Current.CancellationToken);

        Assert.StartsWith(ApiKeys.Prefix, created.ApiKey, StringComparison.Ordinal);
        Assert.Equal(created.User, await Store.Users.AuthenticateAsync(created.ApiKey, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CreateAsync_TwoUsers_GetDifferentKeysThatDoNotCross()
    {
        var alice = await Store.Users.CreateAsync("alice", TestContext.Current.CancellationToken);
        var bob = await Store.Users.CreateAsync("bob", TestContext.Current.CancellationToken);

        Assert.NotEqual(alice.ApiKey, bob.ApiKey);
        Assert.Equal("alice", (await Store.Users.AuthenticateAsync(alice.ApiKey, TestContext.Current.CancellationToken))?.Name);
        Assert.Equal("bob", (await Store.Users.AuthenticateAsync(bob.ApiKey, TestContext.Current.CancellationToken))?.Name);
        Assert.Equal(["alice", "bob"], (await Store.Users.ListAsync(TestContext.Current.CancellationToken)).Select(u => u.Name));
        Assert.Equal(2, await Store.Users.CountActiveAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CreateAsync_DuplicateName_ThrowsAndKeepsTheFirst()
    {
        var first = await Store.Users.CreateAsync("alice", TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<DuplicateUserException>(() => Store.Users.CreateAsync("alice", TestContext.Current.CancellationToken));
        Assert.Single(await Store.Users.ListAsync(TestContext.Current.CancellationToken));
        Assert.NotNull(await Store.Users.AuthenticateAsync(first.ApiKey, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("semi;colon")]
    public async Task CreateAsync_BadName_Throws(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Users.CreateAsync(name, TestContext.Current.CancellationToken));
        Assert.Empty(await Store.Users.ListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RevokeAsync_User_KeyStopsWorkingForEveryHandleAndUserStaysListed()
    {
        var alice = await Store.Users.CreateAsync("alice", TestContext.Current.CancellationToken);
        var bob = await Store.Users.CreateAsync("bob", TestContext.Current.CancellationToken);
        var other = await Location.OpenAsync();  // another process or instance on the same database
        Assert.NotNull(await other.Users.AuthenticateAsync(alice.ApiKey, TestContext.Current.CancellationToken));

        Assert.True(await Store.Users.RevokeAsync("alice", TestContext.Current.CancellationToken));
        Assert.False(await Store.Users.RevokeAsync("alice", TestContext.Current.CancellationToken));
        Assert.False(await Store.Users.RevokeAsync("nobody", TestContext.Current.CancellationToken));
        Assert.Null(await other.Users.AuthenticateAsync(alice.ApiKey, TestContext.Current.CancellationToken));
        Assert.NotNull(await other.Users.AuthenticateAsync(bob.ApiKey, TestContext.Current.CancellationToken));
        Assert.False((await other.Users.ListAsync(TestContext.Current.CancellationToken)).First(u => u.Name == "alice").IsActive);
        Assert.Equal(1, await other.Users.CountActiveAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RotateAsync_ActiveUser_NewKeyWorksOldKeyStopsAtOnce()
    {
        var alice = await Store.Users.CreateAsync("alice", TestContext.Current.CancellationToken);
        var other = await Location.OpenAsync();

        var rotated = await Store.Users.RotateAsync("alice", TestContext.Current.CancellationToken);

        Assert.NotNull(rotated);
        Assert.NotEqual(alice.ApiKey, rotated.ApiKey);
        Assert.Null(await other.Users.AuthenticateAsync(alice.ApiKey, TestContext.Current.CancellationToken));
        Assert.Equal("alice", (await other.Users.AuthenticateAsync(rotated.ApiKey, TestContext.Current.CancellationToken))?.Name);
        Assert.Null(await Store.Users.RotateAsync("nobody", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RotateAsync_RevokedUser_ComesBackWithTheNewKeyOnly()
    {
        var alice = await Store.Users.CreateAsync("alice", TestContext.Current.CancellationToken);
        await Store.Users.RevokeAsync("alice", TestContext.Current.CancellationToken);

        var rotated = await Store.Users.RotateAsync("alice", TestContext.Current.CancellationToken);

        Assert.True(rotated!.User.IsActive);
        Assert.Equal("alice", (await Store.Users.AuthenticateAsync(rotated.ApiKey, TestContext.Current.CancellationToken))?.Name);
        Assert.Null(await Store.Users.AuthenticateAsync(alice.ApiKey, TestContext.Current.CancellationToken));
        Assert.Equal(1, await Store.Users.CountActiveAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AuthenticateAsync_KeyWithRightLookupIdButWrongSecret_IsRefused()
    {
        var alice = await Store.Users.CreateAsync("alice", TestContext.Current.CancellationToken);
        var lookup = ApiKeys.Prefix.Length + ApiKeys.LookupIdLength;
        var forged = alice.ApiKey[..lookup] + new string('A', alice.ApiKey.Length - lookup);

        Assert.Null(await Store.Users.AuthenticateAsync(forged, TestContext.Current.CancellationToken));
        Assert.Null(await Store.Users.AuthenticateAsync(alice.ApiKey + "x", TestContext.Current.CancellationToken));
        Assert.Null(await Store.Users.AuthenticateAsync(alice.ApiKey.ToUpperInvariant(), TestContext.Current.CancellationToken));
        Assert.Null(await Store.Users.AuthenticateAsync("", TestContext.Current.CancellationToken));
    }
}
