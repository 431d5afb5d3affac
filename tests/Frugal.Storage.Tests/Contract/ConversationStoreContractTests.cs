using Frugal.Conversations;
using Frugal.Inference;

namespace Frugal.Tests.Contract;

/// <summary>
/// What every conversation store must do: a session of another owner behaves exactly like a missing
/// one, messages keep their order and fields, deletes cascade, and concurrent writers lose nothing.
/// </summary>
public abstract class ConversationStoreContractTests(Func<IStoreLocation> createLocation) : StoreContractBase(createLocation)
{
    private IConversationStore Sessions => Store.Conversations;

    [Fact]
    public async Task Sessions_OfAnotherOwner_BehaveAsMissing()
    {
        var session = await Sessions.CreateSessionAsync("alice", "secret plans", "be brief", TestContext.Current.CancellationToken);
        await Sessions.AddMessageAsync("alice", session.Id, UserMessage("hello"), TestContext.Current.CancellationToken);

        Assert.Null(await Sessions.GetSessionAsync("bob", session.Id, TestContext.Current.CancellationToken));
        Assert.Empty(await Sessions.ListSessionsAsync("bob", TestContext.Current.CancellationToken));
        Assert.Null(await Sessions.ListMessagesAsync("bob", session.Id, TestContext.Current.CancellationToken));
        Assert.Null(await Sessions.UpdateSessionAsync("bob", session.Id, new SessionChanges { Title = "mine now" }, TestContext.Current.CancellationToken));
        Assert.False(await Sessions.SelectMessageAsync("bob", session.Id, 1, TestContext.Current.CancellationToken));
        Assert.Null(await Sessions.AddMessageAsync("bob", session.Id, UserMessage("injected"), TestContext.Current.CancellationToken));
        Assert.False(await Sessions.DeleteMessageAsync("bob", session.Id, 1, TestContext.Current.CancellationToken));
        Assert.False(await Sessions.DeleteSessionAsync("bob", session.Id, TestContext.Current.CancellationToken));

        var kept = await Sessions.GetSessionAsync("alice", session.Id, TestContext.Current.CancellationToken);
        Assert.Equal("secret plans", kept?.Title);
        Assert.Equal(1, kept?.MessageCount);
        Assert.Equal(["hello"], (await Sessions.ListMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken))!.Select(m => m.Content));
    }

    [Fact]
    public async Task ListSessionsAsync_Paged_EverySessionOnceInTheListOrder()
    {
        for (var i = 0; i < 5; i++)
        {
            await Sessions.CreateSessionAsync("alice", $"s{i}", "a long system prompt", TestContext.Current.CancellationToken);
        }

        await Sessions.CreateSessionAsync("bob", "bob's", null, TestContext.Current.CancellationToken);
        var all = (await Sessions.ListSessionsAsync("alice", TestContext.Current.CancellationToken)).Select(s => s.Id).ToList();
        var paged = new List<string>();
        var hasMore = new List<bool>();
        string? after = null;
        do
        {
            var page = await Sessions.ListSessionsAsync("alice", 2, after, TestContext.Current.CancellationToken);
            paged.AddRange(page.Sessions.Select(s => s.Id));
            hasMore.Add(page.HasMore);
            after = page.Sessions.LastOrDefault()?.Id;
        }
        while (hasMore[^1]);

        Assert.Equal(all, paged);
        Assert.Equal([true, true, false], hasMore);
        Assert.Empty((await Sessions.ListSessionsAsync("alice", 2, "ses_unknown", TestContext.Current.CancellationToken)).Sessions);
        Assert.Empty((await Sessions.ListSessionsAsync("bob", 2, all[0], TestContext.Current.CancellationToken)).Sessions);
    }

    [Fact]
    public async Task GetUsageAsync_OwnerSessionsMessagesAndUtf8Bytes()
    {
        var first = await Sessions.CreateSessionAsync("alice", "ab", "é", TestContext.Current.CancellationToken);
        await Sessions.CreateSessionAsync("alice", null, null, TestContext.Current.CancellationToken);
        await Sessions.AddMessageAsync("alice", first.Id, UserMessage("hello"), TestContext.Current.CancellationToken);
        var bobs = await Sessions.CreateSessionAsync("bob", "bob's title", null, TestContext.Current.CancellationToken);
        await Sessions.AddMessageAsync("bob", bobs.Id, UserMessage("not alice's"), TestContext.Current.CancellationToken);

        var usage = await Sessions.GetUsageAsync("alice", TestContext.Current.CancellationToken);

        Assert.Equal(new StorageUsage(2, 1, 2 + 2 + 5), usage);
        Assert.Equal(new StorageUsage(0, 0, 0), await Sessions.GetUsageAsync("carol", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Sessions_UnknownId_IsMissing()
    {
        Assert.Null(await Sessions.GetSessionAsync("alice", "ses_nope", TestContext.Current.CancellationToken));
        Assert.Null(await Sessions.ListMessagesAsync("alice", "ses_nope", TestContext.Current.CancellationToken));
        Assert.Null(await Sessions.AddMessageAsync("alice", "ses_nope", UserMessage("x"), TestContext.Current.CancellationToken));
        Assert.False(await Sessions.DeleteSessionAsync("alice", "ses_nope", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AddMessageAsync_Messages_ComeBackInOrderWithTheirFields()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null, TestContext.Current.CancellationToken);
        var user = await Sessions.AddMessageAsync("alice", session.Id, UserMessage("héllo ✓ \"quoted\" 'x'; DROP TABLE users;"), TestContext.Current.CancellationToken);
        var reply = await Sessions.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = "partial…",
            TokenCount = 7,
            FinishReason = "cancelled",
            Status = MessageStatus.Partial,
        }, TestContext.Current.CancellationToken);
        var failed = await Sessions.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = "",
            TokenCount = 0,
            FinishReason = "error",
            Status = MessageStatus.Failed,
        }, TestContext.Current.CancellationToken);

        var messages = await Sessions.ListMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken);
        Assert.Equal([user!, reply!, failed!], messages);
        Assert.True(user!.Id < reply!.Id && reply.Id < failed!.Id);
        Assert.Equal((ChatRole.User, MessageStatus.Complete, (string?)null), (user.Role, user.Status, user.FinishReason));
        Assert.Equal((ChatRole.Assistant, MessageStatus.Partial, "cancelled", 7), (reply.Role, reply.Status, reply.FinishReason, reply.TokenCount));
        Assert.Equal(MessageStatus.Failed, failed.Status);
        Assert.Equal(3, (await Sessions.GetSessionAsync("alice", session.Id, TestContext.Current.CancellationToken))?.MessageCount);
    }

    [Fact]
    public async Task AddMessageAsync_ContextShiftedReply_ComesBackMarked()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null, TestContext.Current.CancellationToken);
        await Sessions.AddMessageAsync("alice", session.Id, UserMessage("tell me more"), TestContext.Current.CancellationToken);
        var shifted = await Sessions.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = "more",
            TokenCount = 1,
            FinishReason = "stop",
            ContextShifted = true,
        }, TestContext.Current.CancellationToken);
        await Sessions.AddMessageAsync("alice", session.Id, UserMessage("and?"), TestContext.Current.CancellationToken);
        var plain = await Sessions.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = "done",
            TokenCount = 1,
            FinishReason = "stop",
        }, TestContext.Current.CancellationToken);

        Assert.True(shifted!.ContextShifted);
        Assert.False(plain!.ContextShifted);
        var messages = await Sessions.ListMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken);
        Assert.Equal([false, true, false, false], messages!.Select(m => m.ContextShifted));
    }

    [Fact]
    public async Task AddMessageAsync_ReplyWithTokenIds_ComesBackWithTheSameIds()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null, TestContext.Current.CancellationToken);
        int[] ids = [0, 1, 29871, 31999, 65_536, int.MaxValue];
        var reply = await Sessions.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = "six tokens",
            TokenCount = ids.Length,
            FinishReason = "stop",
            TokenIds = ids,
        }, TestContext.Current.CancellationToken);
        var without = await Sessions.AddMessageAsync("alice", session.Id, UserMessage("no ids"), TestContext.Current.CancellationToken);

        Assert.Equal(ids, reply!.TokenIds);
        Assert.Null(without!.TokenIds);
        var messages = await Sessions.ListMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken);
        Assert.Equal(ids, messages![0].TokenIds);
        Assert.Null(messages[1].TokenIds);
    }

    [Fact]
    public async Task AddMessageAsync_SystemRole_IsRefused()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null, TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Sessions.AddMessageAsync("alice", session.Id, new NewMessage { Role = ChatRole.System, Content = "x", TokenCount = 1 },
                TestContext.Current.CancellationToken));
        Assert.Empty((await Sessions.ListMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken))!);
    }

    [Fact]
    public async Task RenameAndDelete_Session_ChangeOnlyThatSession()
    {
        var first = await Sessions.CreateSessionAsync("alice", "one", null, TestContext.Current.CancellationToken);
        var second = await Sessions.CreateSessionAsync("alice", "two", "sys", TestContext.Current.CancellationToken);
        await Sessions.AddMessageAsync("alice", first.Id, UserMessage("a"), TestContext.Current.CancellationToken);
        var message = await Sessions.AddMessageAsync("alice", second.Id, UserMessage("b"), TestContext.Current.CancellationToken);

        var renamed = await Sessions.UpdateSessionAsync("alice", second.Id, new SessionChanges { Title = null }, TestContext.Current.CancellationToken);
        Assert.Null(renamed?.Title);
        Assert.Equal("sys", renamed?.SystemPrompt);
        Assert.True(await Sessions.DeleteMessageAsync("alice", second.Id, message!.Id, TestContext.Current.CancellationToken));
        Assert.False(await Sessions.DeleteMessageAsync("alice", first.Id, message.Id, TestContext.Current.CancellationToken));
        Assert.True(await Sessions.DeleteSessionAsync("alice", first.Id, TestContext.Current.CancellationToken));

        Assert.Equal([second.Id], (await Sessions.ListSessionsAsync("alice", TestContext.Current.CancellationToken)).Select(s => s.Id));
        Assert.Null(await Sessions.ListMessagesAsync("alice", first.Id, TestContext.Current.CancellationToken));
        Assert.Empty((await Sessions.ListMessagesAsync("alice", second.Id, TestContext.Current.CancellationToken))!);
    }

    [Fact]
    public async Task ListSessionsAsync_MostRecentlyUpdatedFirst()
    {
        var older = await Sessions.CreateSessionAsync("alice", "older", null, TestContext.Current.CancellationToken);
        await Task.Delay(5, TestContext.Current.CancellationToken);
        var newer = await Sessions.CreateSessionAsync("alice", "newer", null, TestContext.Current.CancellationToken);
        await Task.Delay(5, TestContext.Current.CancellationToken);
        await Sessions.AddMessageAsync("alice", older.Id, UserMessage("bump"), TestContext.Current.CancellationToken);

        Assert.Equal([older.Id, newer.Id], (await Sessions.ListSessionsAsync("alice", TestContext.Current.CancellationToken)).Select(s => s.Id));
    }

    [Fact]
    public async Task AddMessageAsync_ConcurrentWritersFromSeveralHandles_LoseNothing()
    {
        const int Writers = 6, PerWriter = 15;
        var shared = await Sessions.CreateSessionAsync("alice", "shared", null, TestContext.Current.CancellationToken);
        var handles = await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Location.OpenAsync()));

        await Task.WhenAll(handles.Select((handle, w) => Task.Run(async () =>
        {
            var own = await handle.Conversations.CreateSessionAsync("alice", $"writer {w}", null);
            for (var i = 0; i < PerWriter; i++)
            {
                Assert.NotNull(await handle.Conversations.AddMessageAsync("alice", shared.Id, UserMessage($"{w}:{i}")));
                Assert.NotNull(await handle.Conversations.AddMessageAsync("alice", own.Id, UserMessage($"{i}")));
            }
        })));

        var messages = (await Sessions.ListMessagesAsync("alice", shared.Id, TestContext.Current.CancellationToken))!;
        Assert.Equal(Writers * PerWriter, messages.Count);
        Assert.Equal(messages.Count, messages.Select(m => m.Content).Distinct().Count());
        Assert.Equal(messages.Select(m => m.Id).Order(), messages.Select(m => m.Id));
        // Each writer's own messages keep their order.
        for (var w = 0; w < Writers; w++)
        {
            var mine = messages.Where(m => m.Content.StartsWith($"{w}:", StringComparison.Ordinal)).Select(m => m.Content);
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => $"{w}:{i}"), mine);
        }

        var sessions = await Sessions.ListSessionsAsync("alice", TestContext.Current.CancellationToken);
        Assert.Equal(Writers + 1, sessions.Count);
        Assert.All(sessions.Where(s => s.Id != shared.Id), s => Assert.Equal(PerWriter, s.MessageCount));
    }

    [Fact]
    public async Task AddMessageAsync_WithParents_KeepsEveryVersionAndMovesTheCurrentMessage()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null, TestContext.Current.CancellationToken);
        var question = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("question"), TestContext.Current.CancellationToken))!;
        var first = (await Sessions.AddMessageAsync("alice", session.Id, Reply("first answer"), TestContext.Current.CancellationToken))!;
        var second = (await Sessions.AddMessageAsync("alice", session.Id, Reply("second answer") with { ParentId = question.Id },
            TestContext.Current.CancellationToken))!;
        var edited = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("edited question") with { ParentId = NewMessage.AtStart },
            TestContext.Current.CancellationToken))!;

        Assert.Equal((long?)null, question.ParentId);
        Assert.Equal(question.Id, first.ParentId);
        Assert.Equal(question.Id, second.ParentId);
        Assert.Null(edited.ParentId);
        var all = (await Sessions.ListMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken))!;
        Assert.Equal([question, first, second, edited], all);
        var stored = await Sessions.GetSessionAsync("alice", session.Id, TestContext.Current.CancellationToken);
        Assert.Equal(edited.Id, stored?.CurrentMessageId);
        Assert.Equal(4, stored?.MessageCount);

        var tree = new MessageTree(all, stored!.CurrentMessageId);
        Assert.Equal([edited.Id], tree.Branch.Select(m => m.Id));
        Assert.Equal([question.Id, edited.Id], tree.VersionsOf(edited));
        Assert.Equal([first.Id, second.Id], tree.VersionsOf(first));
        Assert.Equal(second.Id, tree.LatestLeafUnder(question).Id);
    }

    [Fact]
    public async Task AddMessageAsync_ParentFromAnotherSession_IsRefusedAndNothingStored()
    {
        var mine = await Sessions.CreateSessionAsync("alice", null, null, TestContext.Current.CancellationToken);
        var other = await Sessions.CreateSessionAsync("alice", null, null, TestContext.Current.CancellationToken);
        var foreign = (await Sessions.AddMessageAsync("alice", other.Id, UserMessage("elsewhere"), TestContext.Current.CancellationToken))!;

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Sessions.AddMessageAsync("alice", mine.Id, Reply("x") with { ParentId = foreign.Id },
            TestContext.Current.CancellationToken));

        Assert.Empty((await Sessions.ListMessagesAsync("alice", mine.Id, TestContext.Current.CancellationToken))!);
        Assert.Null((await Sessions.GetSessionAsync("alice", mine.Id, TestContext.Current.CancellationToken))?.CurrentMessageId);
    }

    [Fact]
    public async Task SelectMessageAsync_MessageOfTheSession_BecomesCurrentAndTheNextMessageFollowsIt()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null, TestContext.Current.CancellationToken);
        var other = await Sessions.CreateSessionAsync("alice", null, null, TestContext.Current.CancellationToken);
        var question = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("question"), TestContext.Current.CancellationToken))!;
        var first = (await Sessions.AddMessageAsync("alice", session.Id, Reply("first"), TestContext.Current.CancellationToken))!;
        _ = await Sessions.AddMessageAsync("alice", session.Id, Reply("second") with { ParentId = question.Id }, TestContext.Current.CancellationToken);
        var elsewhere = (await Sessions.AddMessageAsync("alice", other.Id, UserMessage("elsewhere"), TestContext.Current.CancellationToken))!;

        Assert.True(await Sessions.SelectMessageAsync("alice", session.Id, first.Id, TestContext.Current.CancellationToken));
        Assert.False(await Sessions.SelectMessageAsync("alice", session.Id, elsewhere.Id, TestContext.Current.CancellationToken));
        Assert.False(await Sessions.SelectMessageAsync("bob", session.Id, first.Id, TestContext.Current.CancellationToken));
        var next = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("follow-up"), TestContext.Current.CancellationToken))!;

        Assert.Equal(first.Id, next.ParentId);
        Assert.Equal(next.Id, (await Sessions.GetSessionAsync("alice", session.Id, TestContext.Current.CancellationToken))?.CurrentMessageId);
    }

    [Fact]
    public async Task DeleteMessageAsync_CurrentMessage_CurrentMovesToItsParent()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null, TestContext.Current.CancellationToken);
        var question = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("question"), TestContext.Current.CancellationToken))!;
        var taken = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("taken back"), TestContext.Current.CancellationToken))!;

        Assert.True(await Sessions.DeleteMessageAsync("alice", session.Id, taken.Id, TestContext.Current.CancellationToken));

        Assert.Equal(question.Id, (await Sessions.GetSessionAsync("alice", session.Id, TestContext.Current.CancellationToken))?.CurrentMessageId);
    }

    [Fact]
    public async Task UpdateSessionAsync_GivenFields_ChangeAndTheOthersStay()
    {
        var session = await Sessions.CreateSessionAsync("alice", "title", "be brief", TestContext.Current.CancellationToken);
        var settings = new ChatSettings { MaxTokens = 64, Temperature = 0.25, TopP = 0.5, TopK = 7, Seed = 1L << 40 };

        var withSettings = await Sessions.UpdateSessionAsync("alice", session.Id, new SessionChanges { Settings = settings }, TestContext.Current.CancellationToken);
        var withPrompt = await Sessions.UpdateSessionAsync("alice", session.Id, new SessionChanges { SystemPrompt = "be thorough" },
            TestContext.Current.CancellationToken);
        var cleared = await Sessions.UpdateSessionAsync("alice", session.Id, new SessionChanges { Settings = null, Title = null }, TestContext.Current.CancellationToken);

        Assert.Equal(("title", "be brief", settings), (withSettings?.Title, withSettings?.SystemPrompt, withSettings?.Settings));
        Assert.Equal(("title", "be thorough", settings), (withPrompt?.Title, withPrompt?.SystemPrompt, withPrompt?.Settings));
        Assert.Equal((null, "be thorough", ChatSettings.Defaults), (cleared?.Title, cleared?.SystemPrompt, cleared?.Settings));
        Assert.Equal(ChatSettings.Defaults, (await Sessions.GetSessionAsync("alice", session.Id, TestContext.Current.CancellationToken))?.Settings);
    }

    [Fact]
    public async Task ImportSessionAsync_Tree_StoredWithNewIdsParentsAndCurrent()
    {
        var import = new SessionImport
        {
            Title = "imported",
            SystemPrompt = "sys",
            Settings = new ChatSettings { Temperature = 0 },
            Messages =
            [
                new ImportedMessage { Id = 10, Message = UserMessage("q") },
                new ImportedMessage { Id = 11, ParentId = 10, Message = Reply("a1") },
                new ImportedMessage { Id = 12, ParentId = 10, Message = Reply("a2") },
            ],
            CurrentMessageId = 11,
        };

        var session = await Sessions.ImportSessionAsync("alice", import, TestContext.Current.CancellationToken);

        var messages = (await Sessions.ListMessagesAsync("alice", session.Id, TestContext.Current.CancellationToken))!;
        Assert.Equal(["q", "a1", "a2"], messages.Select(m => m.Content));
        Assert.Equal([null, messages[0].Id, messages[0].Id], messages.Select(m => m.ParentId));
        Assert.Equal(messages[1].Id, session.CurrentMessageId);
        Assert.Equal(("imported", "sys", 0.0, 3), (session.Title, session.SystemPrompt, session.Settings.Temperature, session.MessageCount));
        Assert.Null(await Sessions.ListMessagesAsync("bob", session.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ImportSessionAsync_ParentNotListedBefore_StoresNothing()
    {
        var import = new SessionImport
        {
            Messages =
            [
                new ImportedMessage { Id = 1, Message = UserMessage("q") },
                new ImportedMessage { Id = 2, ParentId = 99, Message = Reply("a") },
            ],
        };

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Sessions.ImportSessionAsync("alice", import, TestContext.Current.CancellationToken));

        Assert.Empty(await Sessions.ListSessionsAsync("alice", TestContext.Current.CancellationToken));
        Assert.Equal(new StorageUsage(0, 0, 0), await Sessions.GetUsageAsync("alice", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AddMessageAsync_TextWithNul_IsStored()
    {
        // A small model can generate the byte 0; PostgreSQL's text cannot hold it and keeps U+FFFD instead.
        var session = await Sessions.CreateSessionAsync("alice", "a\0b", null, TestContext.Current.CancellationToken);
        var stored = await Sessions.AddMessageAsync("alice", session.Id, Reply("x\0y"), TestContext.Current.CancellationToken);

        Assert.Contains(stored?.Content, new[] { "x\0y", "x\uFFFDy" });
        Assert.Contains((await Sessions.GetSessionAsync("alice", session.Id, TestContext.Current.CancellationToken))?.Title, new[] { "a\0b", "a\uFFFDb" });
    }

    private static NewMessage Reply(string text) => new() { Role = ChatRole.Assistant, Content = text, TokenCount = text.Length, FinishReason = "stop" };

    private static NewMessage UserMessage(string text) => new() { Role = ChatRole.User, Content = text, TokenCount = text.Length };
}
