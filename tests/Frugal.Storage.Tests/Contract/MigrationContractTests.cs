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
        var created = await handles[0].Users.CreateAsync("alice", TestContext.Current.CancellationToken);

        foreach (var handle in handles)
        {
            Assert.Equal("alice", (await handle.Users.AuthenticateAsync(created.ApiKey, TestContext.Current.CancellationToken))?.Name);
        }

        Assert.Equal(await Location.AppliedVersionsAsync(), await fresh.AppliedVersionsAsync());
    }

    [Fact]
    public async Task Open_DatabaseOfVersion1WithMessages_MigratesAndKeepsThem()
    {
        await using var old = CreateLocation();
        await old.SeedVersionOneAsync();

        var migrated = await old.OpenAsync();

        Assert.Equal(await Location.AppliedVersionsAsync(), await old.AppliedVersionsAsync());
        var messages = await migrated.Conversations.ListMessagesAsync("alice", "ses_old", TestContext.Current.CancellationToken);
        Assert.Equal([("hello", 1, false), ("hi there", 2, false), ("how are you?", 3, false)], messages!.Select(m => (m.Content, m.TokenCount, m.ContextShifted)));
        Assert.All(messages!, m => Assert.Null(m.TokenIds));
        var shifted = await migrated.Conversations.AddMessageAsync("alice", "ses_old", new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = "later",
            TokenCount = 1,
            FinishReason = "stop",
            ContextShifted = true,
        }, TestContext.Current.CancellationToken);
        Assert.True(shifted!.ContextShifted);
    }

    [Fact]
    public async Task Open_DatabaseOfVersionOne_MigratesAndKeepsTheConversationAsOneBranch()
    {
        await using var old = CreateLocation();
        await old.SeedVersionOneAsync();

        var store = await old.OpenAsync();

        var session = await store.Conversations.GetSessionAsync("alice", "ses_old", TestContext.Current.CancellationToken);
        var messages = (await store.Conversations.ListMessagesAsync("alice", "ses_old", TestContext.Current.CancellationToken))!;
        Assert.Equal(["hello", "hi there", "how are you?"], messages.Select(m => m.Content));
        Assert.Equal([null, messages[0].Id, messages[1].Id], messages.Select(m => m.ParentId));
        Assert.Equal(messages[2].Id, session?.CurrentMessageId);
        Assert.Equal(ChatSettings.Defaults, session?.Settings);
        Assert.Equal(messages, new MessageTree(messages, session!.CurrentMessageId).Branch);
        Assert.Equal(await Location.AppliedVersionsAsync(), await old.AppliedVersionsAsync());
    }

    [Fact]
    public async Task Open_DatabaseFromNewerVersion_RefusesWithExplanation()
    {
        await Location.AddFutureVersionAsync(999);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(Location.OpenAsync);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }
}
