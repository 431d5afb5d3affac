using Frugal.Users;

namespace Frugal.Tests.Contract;

/// <summary>What every user store must do: keys that authenticate, never cross, and stop working for every handle once revoked.</summary>
public abstract class UserStoreContractTests(Func<IStoreLocation> createLocation) : StoreContractBase(createLocation)
{
    [Fact]
    public async Task CreateAsync_NewUser_KeyAuthenticates()
    {
        var created = await Store.Users.CreateAsync("alice");

        Assert.StartsWith(ApiKeys.Prefix, created.ApiKey, StringComparison.Ordinal);
        Assert.Equal(created.User, await Store.Users.AuthenticateAsync(created.ApiKey));
    }

    [Fact]
    public async Task CreateAsync_TwoUsers_GetDifferentKeysThatDoNotCross()
    {
        var alice = await Store.Users.CreateAsync("alice");
        var bob = await Store.Users.CreateAsync("bob");

        Assert.NotEqual(alice.ApiKey, bob.ApiKey);
        Assert.Equal("alice", (await Store.Users.AuthenticateAsync(alice.ApiKey))?.Name);
        Assert.Equal("bob", (await Store.Users.AuthenticateAsync(bob.ApiKey))?.Name);
        Assert.Equal(["alice", "bob"], (await Store.Users.ListAsync()).Select(u => u.Name));
        Assert.Equal(2, await Store.Users.CountActiveAsync());
    }

    [Fact]
    public async Task CreateAsync_DuplicateName_ThrowsAndKeepsTheFirst()
    {
        var first = await Store.Users.CreateAsync("alice");

        await Assert.ThrowsAsync<DuplicateUserException>(() => Store.Users.CreateAsync("alice"));
        Assert.Single(await Store.Users.ListAsync());
        Assert.NotNull(await Store.Users.AuthenticateAsync(first.ApiKey));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("semi;colon")]
    public async Task CreateAsync_BadName_Throws(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Users.CreateAsync(name));
        Assert.Empty(await Store.Users.ListAsync());
    }

    [Fact]
    public async Task RevokeAsync_User_KeyStopsWorkingForEveryHandleAndUserStaysListed()
    {
        var alice = await Store.Users.CreateAsync("alice");
        var bob = await Store.Users.CreateAsync("bob");
        var other = await Location.OpenAsync();  // another process or instance on the same database
        Assert.NotNull(await other.Users.AuthenticateAsync(alice.ApiKey));

        Assert.True(await Store.Users.RevokeAsync("alice"));
        Assert.False(await Store.Users.RevokeAsync("alice"));
        Assert.False(await Store.Users.RevokeAsync("nobody"));
        Assert.Null(await other.Users.AuthenticateAsync(alice.ApiKey));
        Assert.NotNull(await other.Users.AuthenticateAsync(bob.ApiKey));
        Assert.False((await other.Users.ListAsync()).First(u => u.Name == "alice").IsActive);
        Assert.Equal(1, await other.Users.CountActiveAsync());
    }

    [Fact]
    public async Task RotateAsync_ActiveUser_NewKeyWorksOldKeyStopsAtOnce()
    {
        var alice = await Store.Users.CreateAsync("alice");
        var other = await Location.OpenAsync();

        var rotated = await Store.Users.RotateAsync("alice");

        Assert.NotNull(rotated);
        Assert.NotEqual(alice.ApiKey, rotated.ApiKey);
        Assert.Null(await other.Users.AuthenticateAsync(alice.ApiKey));
        Assert.Equal("alice", (await other.Users.AuthenticateAsync(rotated.ApiKey))?.Name);
        Assert.Null(await Store.Users.RotateAsync("nobody"));
    }

    [Fact]
    public async Task RotateAsync_RevokedUser_ComesBackWithTheNewKeyOnly()
    {
        var alice = await Store.Users.CreateAsync("alice");
        await Store.Users.RevokeAsync("alice");

        var rotated = await Store.Users.RotateAsync("alice");

        Assert.True(rotated!.User.IsActive);
        Assert.Equal("alice", (await Store.Users.AuthenticateAsync(rotated.ApiKey))?.Name);
        Assert.Null(await Store.Users.AuthenticateAsync(alice.ApiKey));
        Assert.Equal(1, await Store.Users.CountActiveAsync());
    }

    [Fact]
    public async Task AuthenticateAsync_KeyWithRightLookupIdButWrongSecret_IsRefused()
    {
        var alice = await Store.Users.CreateAsync("alice");
        var lookup = ApiKeys.Prefix.Length + ApiKeys.LookupIdLength;
        var forged = alice.ApiKey[..lookup] + new string('A', alice.ApiKey.Length - lookup);

        Assert.Null(await Store.Users.AuthenticateAsync(forged));
        Assert.Null(await Store.Users.AuthenticateAsync(alice.ApiKey + "x"));
        Assert.Null(await Store.Users.AuthenticateAsync(alice.ApiKey.ToUpperInvariant()));
        Assert.Null(await Store.Users.AuthenticateAsync(""));
    }
}
