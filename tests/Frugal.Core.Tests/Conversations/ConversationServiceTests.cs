using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Storage.Sqlite;
using Frugal.Tests.Inference;

namespace Frugal.Tests.Conversations;

/// <summary>The conversation service on the real engine (tiny model) and a real SQLite file.</summary>
[Collection(TinyEngineCollection.Name)]
public sealed class ConversationServiceTests(TinyEngineFixture fixture) : IDisposable
{
    private static readonly ChatSettings Short = new() { MaxTokens = 4, Temperature = 0 };
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task StartTurnAsync_Send_StoresTheMessageThenTheReplyOnTheBranch()
    {
        var service = Service(out _);
        var session = await service.CreateSessionAsync("alice", "t", "Be brief.", Short, TestContext.Current.CancellationToken);

        var reply = await SendAsync(service, "alice", session.Id, "Hello there.");

        var tree = await service.GetMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken);
        Assert.NotNull(tree);
        Assert.Equal([ChatRole.User, ChatRole.Assistant], tree.Branch.Select(m => m.Role));
        Assert.Equal("Hello there.", tree.Branch[0].Content);
        Assert.Equal(reply.Message.Id, tree.Branch[1].Id);
        Assert.Equal(tree.Branch[0].Id, tree.Branch[1].ParentId);
        Assert.Equal(reply.Stats.CompletionTokens, tree.Branch[1].TokenCount);
        Assert.Equal(ConversationService.FinishReasonName(reply.Stats.FinishReason), tree.Branch[1].FinishReason);
        Assert.InRange(reply.Stats.CompletionTokens, 1, 4);
    }

    [Fact]
    public async Task StartTurnAsync_SecondSend_ReadsTheFirstExchangeFromTheStore()
    {
        var service = Service(out _);
        var session = await service.CreateSessionAsync("alice", null, null, Short, TestContext.Current.CancellationToken);
        var first = await SendAsync(service, "alice", session.Id, "One.");

        var second = await SendAsync(service, "alice", session.Id, "Two.");

        // The prompt held the first message and its stored reply: more tokens than the second message alone.
        var alone = fixture.Engine.CountTokens("Two.");
        Assert.True(second.Stats.PromptTokens > first.Stats.PromptTokens + alone, $"{second.Stats.PromptTokens} vs {first.Stats.PromptTokens}");
        var tree = await service.GetMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken);
        Assert.Equal(["One.", first.Message.Content, "Two.", second.Message.Content], tree!.Branch.Select(m => m.Content));
    }

    [Fact]
    public async Task StartTurnAsync_Regenerate_KeepsTheEarlierReplyAsAVersion()
    {
        var service = Service(out _);
        var session = await service.CreateSessionAsync("alice", null, null, Short, TestContext.Current.CancellationToken);
        var first = await SendAsync(service, "alice", session.Id, "Hello.");

        var again = await RunAsync(service, "alice", session.Id, TurnStart.Regenerate(first.Message.Id));

        var tree = await service.GetMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken);
        var current = tree!.Current!;
        Assert.Equal(again.Message.Id, current.Id);
        Assert.Equal([first.Message.Id, again.Message.Id], tree.VersionsOf(current));
        Assert.Equal(3, tree.All.Count);
    }

    [Fact]
    public async Task StartTurnAsync_SomeoneElsesSession_ThrowsNotFoundAndStoresNothing()
    {
        var service = Service(out _);
        var session = await service.CreateSessionAsync("alice", null, null, Short, TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<SessionNotFoundException>(() => service.StartTurnAsync("bob", session.Id, TurnStart.Send("Hi."),
            cancellationToken: TestContext.Current.CancellationToken));

        var tree = await service.GetMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken);
        Assert.Empty(tree!.All);
        Assert.Null(await service.GetMessagesAsync("bob", session.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task StartTurnAsync_EmptyText_ThrowsBeforeAnythingIsStored()
    {
        var service = Service(out _);
        var session = await service.CreateSessionAsync("alice", null, null, Short, TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<ChatRequestException>(() => service.StartTurnAsync("alice", session.Id, TurnStart.Send(""),
            cancellationToken: TestContext.Current.CancellationToken));

        Assert.Empty((await service.GetMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken))!.All);
    }

    [Fact]
    public async Task CreateSessionAsync_SystemPromptFillingTheContext_IsRefused()
    {
        var service = Service(out _);
        var prompt = string.Join(' ', Enumerable.Repeat("river", fixture.Engine.ContextSize));

        await Assert.ThrowsAsync<ChatRequestException>(() => service.CreateSessionAsync("alice", null, prompt, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Empty(await service.ListSessionsAsync("alice", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CreateSessionAsync_PastTheOwnersSessionCap_ThrowsQuotaExceededForThatOwnerOnly()
    {
        var service = Service(out _, new ConversationLimits { MaxSessionsPerUser = 1 });
        await service.CreateSessionAsync("alice", null, null, cancellationToken: TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<StorageQuotaExceededException>(() => service.CreateSessionAsync("alice", null, null,
            cancellationToken: TestContext.Current.CancellationToken));

        await service.CreateSessionAsync("bob", null, null, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Single(await service.ListSessionsAsync("alice", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task DeleteSessionAsync_SomeoneElsesSession_IsFalseAndKeepsIt()
    {
        var service = Service(out _);
        var session = await service.CreateSessionAsync("alice", null, null, Short, TestContext.Current.CancellationToken);

        Assert.False(await service.DeleteSessionAsync("bob", session.Id, TestContext.Current.CancellationToken));
        Assert.NotNull(await service.GetSessionAsync("alice", session.Id, TestContext.Current.CancellationToken));
        Assert.True(await service.DeleteSessionAsync("alice", session.Id, TestContext.Current.CancellationToken));
        Assert.Null(await service.GetSessionAsync("alice", session.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task StartTurnAsync_SecondTurnInTheSameSession_WaitsForTheFirstReplyToBeStored()
    {
        var service = Service(out var leases);
        var session = await service.CreateSessionAsync("alice", null, null, Short, TestContext.Current.CancellationToken);
        var first = await service.StartTurnAsync("alice", session.Id, TurnStart.Send("One."), cancellationToken: TestContext.Current.CancellationToken);

        var second = service.StartTurnAsync("alice", session.Id, TurnStart.Send("Two."), cancellationToken: TestContext.Current.CancellationToken);

        // The first turn holds the session's lease until it is disposed: the second cannot have started.
        Assert.False(second.IsCompleted);
        Assert.Equal(1, leases.ActiveSessions);
        await foreach (var _ in first.ReadAsync())
        {
        }

        await first.DisposeAsync();
        await using var turn = await second;
        Assert.Equal(first.Reply!.Message.Id, turn.UserMessage.ParentId);
    }

    private ConversationService Service(out LocalSessionLeases leases, ConversationLimits? limits = null)
    {
        leases = new LocalSessionLeases();
        var store = new SqliteConversationStore(SqliteDatabase.Open(_directory.Path));
        return new ConversationService(store, ChatPipeline.ForEngine(fixture.Engine), leases: leases, limits: limits);
    }

    private static Task<ConversationReply> SendAsync(ConversationService service, string owner, string sessionId, string text) =>
        RunAsync(service, owner, sessionId, TurnStart.Send(text));

    // Starts the turn, reads its reply to the end and gives the session back.
    private static async Task<ConversationReply> RunAsync(ConversationService service, string owner, string sessionId, TurnStart start)
    {
        await using var turn = await service.StartTurnAsync(owner, sessionId, start, cancellationToken: TestContext.Current.CancellationToken);
        await foreach (var _ in turn.ReadAsync())
        {
        }

        return turn.Reply ?? throw new InvalidOperationException("The turn ended without a stored reply.");
    }
}
