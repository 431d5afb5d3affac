namespace Frugal.Tests.Contract;

/// <summary>What every store's migrations must do: apply once, also when many open at once, and refuse a newer schema.</summary>
public abstract class MigrationContractTests(Func<IStoreLocation> createLocation) : StoreContractBase(createLocation)
{
    [Fact]
    public async Task Open_Again_AppliesEachMigrationOnce()
    {
        var first = await Location.AppliedVersionsAsync();
        await Location.OpenAsync();

        Assert.NotEmpty(first);
        Assert.Equal(first, await Location.AppliedVersionsAsync());
        Assert.Equal(first.Distinct(), first);
    }

    [Fact]
    public async Task Open_ManyAtOnce_AppliesEachMigrationOnceAndAllWork()
    {
        // A location nobody has opened: the six race to create the schema.
        await using var fresh = CreateLocation();
        var handles = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(fresh.OpenAsync)));
        var created = await handles[0].Users.CreateAsync("alice");

        foreach (var handle in handles)
        {
            Assert.Equal("alice", (await handle.Users.AuthenticateAsync(created.ApiKey))?.Name);
        }

        Assert.Equal(await Location.AppliedVersionsAsync(), await fresh.AppliedVersionsAsync());
    }

    [Fact]
    public async Task Open_DatabaseFromNewerVersion_RefusesWithExplanation()
    {
        await Location.AddFutureVersionAsync(999);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(Location.OpenAsync);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }
}
