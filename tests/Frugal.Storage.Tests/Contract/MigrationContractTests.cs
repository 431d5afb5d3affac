using Frugal.Conversations;
using Frugal.Inference;

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
    public async Task Open_DatabaseOfVersion1WithMessages_MigratesAndKeepsThem()
    {
        var latest = await Location.AppliedVersionsAsync();
        var handle = await Location.OpenAsync();
        var session = await handle.Conversations.CreateSessionAsync("alice", "old", "be brief");
        await handle.Conversations.AddMessageAsync("alice", session.Id, new NewMessage { Role = ChatRole.User, Content = "hello", TokenCount = 2 });
        await handle.Conversations.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant, Content = "hi there", TokenCount = 3, FinishReason = "stop",
        });
        // Back to the schema as version 1 wrote it: the columns later migrations added are gone.
        await Location.ExecuteAsync("""
            ALTER TABLE messages DROP COLUMN context_shifted;
            DELETE FROM schema_version WHERE version > 1;
            """);
        Assert.Equal([1], await Location.AppliedVersionsAsync());

        var migrated = await Location.OpenAsync();

        Assert.Equal(latest, await Location.AppliedVersionsAsync());
        var messages = await migrated.Conversations.ListMessagesAsync("alice", session.Id);
        Assert.Equal([("hello", 2, false), ("hi there", 3, false)], messages!.Select(m => (m.Content, m.TokenCount, m.ContextShifted)));
        var shifted = await migrated.Conversations.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant, Content = "later", TokenCount = 1, FinishReason = "stop", ContextShifted = true,
        });
        Assert.True(shifted!.ContextShifted);
    }

    [Fact]
    public async Task Open_DatabaseFromNewerVersion_RefusesWithExplanation()
    {
        await Location.AddFutureVersionAsync(999);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(Location.OpenAsync);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }
}
