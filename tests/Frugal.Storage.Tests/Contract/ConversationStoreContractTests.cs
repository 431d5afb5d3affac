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
        var session = await Sessions.CreateSessionAsync("alice", "secret plans", "be brief");
        await Sessions.AddMessageAsync("alice", session.Id, UserMessage("hello"));

        Assert.Null(await Sessions.GetSessionAsync("bob", session.Id));
        Assert.Empty(await Sessions.ListSessionsAsync("bob"));
        Assert.Null(await Sessions.ListMessagesAsync("bob", session.Id));
        Assert.Null(await Sessions.UpdateSessionAsync("bob", session.Id, new SessionChanges { Title = "mine now" }));
        Assert.False(await Sessions.SelectMessageAsync("bob", session.Id, 1));
        Assert.Null(await Sessions.AddMessageAsync("bob", session.Id, UserMessage("injected")));
        Assert.False(await Sessions.DeleteMessageAsync("bob", session.Id, 1));
        Assert.False(await Sessions.DeleteSessionAsync("bob", session.Id));

        var kept = await Sessions.GetSessionAsync("alice", session.Id);
        Assert.Equal("secret plans", kept?.Title);
        Assert.Equal(1, kept?.MessageCount);
        Assert.Equal(["hello"], (await Sessions.ListMessagesAsync("alice", session.Id))!.Select(m => m.Content));
    }

    [Fact]
    public async Task ListSessionsAsync_Paged_EverySessionOnceInTheListOrder()
    {
        for (var i = 0; i < 5; i++)
        {
            await Sessions.CreateSessionAsync("alice", $"s{i}", "a long system prompt");
        }

        await Sessions.CreateSessionAsync("bob", "bob's", null);
        var all = (await Sessions.ListSessionsAsync("alice")).Select(s => s.Id).ToList();
        var paged = new List<string>();
        var hasMore = new List<bool>();
        string? after = null;
        do
        {
            var page = await Sessions.ListSessionsAsync("alice", 2, after);
            paged.AddRange(page.Sessions.Select(s => s.Id));
            hasMore.Add(page.HasMore);
            after = page.Sessions.LastOrDefault()?.Id;
        }
        while (hasMore[^1]);

        Assert.Equal(all, paged);
        Assert.Equal([true, true, false], hasMore);
        Assert.Empty((await Sessions.ListSessionsAsync("alice", 2, "ses_unknown")).Sessions);
        Assert.Empty((await Sessions.ListSessionsAsync("bob", 2, all[0])).Sessions);
    }

    [Fact]
    public async Task GetUsageAsync_OwnerSessionsMessagesAndUtf8Bytes()
    {
        var first = await Sessions.CreateSessionAsync("alice", "ab", "é");
        await Sessions.CreateSessionAsync("alice", null, null);
        await Sessions.AddMessageAsync("alice", first.Id, UserMessage("hello"));
        var bobs = await Sessions.CreateSessionAsync("bob", "bob's title", null);
        await Sessions.AddMessageAsync("bob", bobs.Id, UserMessage("not alice's"));

        var usage = await Sessions.GetUsageAsync("alice");

        Assert.Equal(new StorageUsage(2, 1, 2 + 2 + 5), usage);
        Assert.Equal(new StorageUsage(0, 0, 0), await Sessions.GetUsageAsync("carol"));
    }

    [Fact]
    public async Task Sessions_UnknownId_IsMissing()
    {
        Assert.Null(await Sessions.GetSessionAsync("alice", "ses_nope"));
        Assert.Null(await Sessions.ListMessagesAsync("alice", "ses_nope"));
        Assert.Null(await Sessions.AddMessageAsync("alice", "ses_nope", UserMessage("x")));
        Assert.False(await Sessions.DeleteSessionAsync("alice", "ses_nope"));
    }

    [Fact]
    public async Task AddMessageAsync_Messages_ComeBackInOrderWithTheirFields()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null);
        var user = await Sessions.AddMessageAsync("alice", session.Id, UserMessage("héllo ✓ \"quoted\" 'x'; DROP TABLE users;"));
        var reply = await Sessions.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = "partial…",
            TokenCount = 7,
            FinishReason = "cancelled",
            Status = MessageStatus.Partial,
        });
        var failed = await Sessions.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = "",
            TokenCount = 0,
            FinishReason = "error",
            Status = MessageStatus.Failed,
        });

        var messages = await Sessions.ListMessagesAsync("alice", session.Id);
        Assert.Equal([user!, reply!, failed!], messages);
        Assert.True(user!.Id < reply!.Id && reply.Id < failed!.Id);
        Assert.Equal((ChatRole.User, MessageStatus.Complete, (string?)null), (user.Role, user.Status, user.FinishReason));
        Assert.Equal((ChatRole.Assistant, MessageStatus.Partial, "cancelled", 7), (reply.Role, reply.Status, reply.FinishReason, reply.TokenCount));
        Assert.Equal(MessageStatus.Failed, failed.Status);
        Assert.Equal(3, (await Sessions.GetSessionAsync("alice", session.Id))?.MessageCount);
    }

    [Fact]
    public async Task AddMessageAsync_ContextShiftedReply_ComesBackMarked()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null);
        await Sessions.AddMessageAsync("alice", session.Id, UserMessage("tell me more"));
        var shifted = await Sessions.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = "more",
            TokenCount = 1,
            FinishReason = "stop",
            ContextShifted = true,
        });
        await Sessions.AddMessageAsync("alice", session.Id, UserMessage("and?"));
        var plain = await Sessions.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = "done",
            TokenCount = 1,
            FinishReason = "stop",
        });

        Assert.True(shifted!.ContextShifted);
        Assert.False(plain!.ContextShifted);
        var messages = await Sessions.ListMessagesAsync("alice", session.Id);
        Assert.Equal([false, true, false, false], messages!.Select(m => m.ContextShifted));
    }

    [Fact]
    public async Task AddMessageAsync_ReplyWithTokenIds_ComesBackWithTheSameIds()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null);
        int[] ids = [0, 1, 29871, 31999, 65_536, int.MaxValue];
        var reply = await Sessions.AddMessageAsync("alice", session.Id, new NewMessage
        {
            Role = ChatRole.Assistant,
            Content = "six tokens",
            TokenCount = ids.Length,
            FinishReason = "stop",
            TokenIds = ids,
        });
        var without = await Sessions.AddMessageAsync("alice", session.Id, UserMessage("no ids"));

        Assert.Equal(ids, reply!.TokenIds);
        Assert.Null(without!.TokenIds);
        var messages = await Sessions.ListMessagesAsync("alice", session.Id);
        Assert.Equal(ids, messages![0].TokenIds);
        Assert.Null(messages[1].TokenIds);
    }

    [Fact]
    public async Task AddMessageAsync_SystemRole_IsRefused()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null);
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Sessions.AddMessageAsync("alice", session.Id, new NewMessage { Role = ChatRole.System, Content = "x", TokenCount = 1 }));
        Assert.Empty((await Sessions.ListMessagesAsync("alice", session.Id))!);
    }

    [Fact]
    public async Task RenameAndDelete_Session_ChangeOnlyThatSession()
    {
        var first = await Sessions.CreateSessionAsync("alice", "one", null);
        var second = await Sessions.CreateSessionAsync("alice", "two", "sys");
        await Sessions.AddMessageAsync("alice", first.Id, UserMessage("a"));
        var message = await Sessions.AddMessageAsync("alice", second.Id, UserMessage("b"));

        var renamed = await Sessions.UpdateSessionAsync("alice", second.Id, new SessionChanges { Title = null });
        Assert.Null(renamed?.Title);
        Assert.Equal("sys", renamed?.SystemPrompt);
        Assert.True(await Sessions.DeleteMessageAsync("alice", second.Id, message!.Id));
        Assert.False(await Sessions.DeleteMessageAsync("alice", first.Id, message.Id));
        Assert.True(await Sessions.DeleteSessionAsync("alice", first.Id));

        Assert.Equal([second.Id], (await Sessions.ListSessionsAsync("alice")).Select(s => s.Id));
        Assert.Null(await Sessions.ListMessagesAsync("alice", first.Id));
        Assert.Empty((await Sessions.ListMessagesAsync("alice", second.Id))!);
    }

    [Fact]
    public async Task ListSessionsAsync_MostRecentlyUpdatedFirst()
    {
        var older = await Sessions.CreateSessionAsync("alice", "older", null);
        await Task.Delay(5);
        var newer = await Sessions.CreateSessionAsync("alice", "newer", null);
        await Task.Delay(5);
        await Sessions.AddMessageAsync("alice", older.Id, UserMessage("bump"));

        Assert.Equal([older.Id, newer.Id], (await Sessions.ListSessionsAsync("alice")).Select(s => s.Id));
    }

    [Fact]
    public async Task AddMessageAsync_ConcurrentWritersFromSeveralHandles_LoseNothing()
    {
        const int Writers = 6, PerWriter = 15;
        var shared = await Sessions.CreateSessionAsync("alice", "shared", null);
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

        var messages = (await Sessions.ListMessagesAsync("alice", shared.Id))!;
        Assert.Equal(Writers * PerWriter, messages.Count);
        Assert.Equal(messages.Count, messages.Select(m => m.Content).Distinct().Count());
        Assert.Equal(messages.Select(m => m.Id).Order(), messages.Select(m => m.Id));
        // Each writer's own messages keep their order.
        for (var w = 0; w < Writers; w++)
        {
            var mine = messages.Where(m => m.Content.StartsWith($"{w}:", StringComparison.Ordinal)).Select(m => m.Content);
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => $"{w}:{i}"), mine);
        }

        var sessions = await Sessions.ListSessionsAsync("alice");
        Assert.Equal(Writers + 1, sessions.Count);
        Assert.All(sessions.Where(s => s.Id != shared.Id), s => Assert.Equal(PerWriter, s.MessageCount));
    }

    [Fact]
    public async Task AddMessageAsync_WithParents_KeepsEveryVersionAndMovesTheCurrentMessage()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null);
        var question = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("question")))!;
        var first = (await Sessions.AddMessageAsync("alice", session.Id, Reply("first answer")))!;
        var second = (await Sessions.AddMessageAsync("alice", session.Id, Reply("second answer") with { ParentId = question.Id }))!;
        var edited = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("edited question") with { ParentId = NewMessage.AtStart }))!;

        Assert.Equal((long?)null, question.ParentId);
        Assert.Equal(question.Id, first.ParentId);
        Assert.Equal(question.Id, second.ParentId);
        Assert.Null(edited.ParentId);
        var all = (await Sessions.ListMessagesAsync("alice", session.Id))!;
        Assert.Equal([question, first, second, edited], all);
        var stored = await Sessions.GetSessionAsync("alice", session.Id);
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
        var mine = await Sessions.CreateSessionAsync("alice", null, null);
        var other = await Sessions.CreateSessionAsync("alice", null, null);
        var foreign = (await Sessions.AddMessageAsync("alice", other.Id, UserMessage("elsewhere")))!;

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Sessions.AddMessageAsync("alice", mine.Id, Reply("x") with { ParentId = foreign.Id }));

        Assert.Empty((await Sessions.ListMessagesAsync("alice", mine.Id))!);
        Assert.Null((await Sessions.GetSessionAsync("alice", mine.Id))?.CurrentMessageId);
    }

    [Fact]
    public async Task SelectMessageAsync_MessageOfTheSession_BecomesCurrentAndTheNextMessageFollowsIt()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null);
        var other = await Sessions.CreateSessionAsync("alice", null, null);
        var question = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("question")))!;
        var first = (await Sessions.AddMessageAsync("alice", session.Id, Reply("first")))!;
        _ = await Sessions.AddMessageAsync("alice", session.Id, Reply("second") with { ParentId = question.Id });
        var elsewhere = (await Sessions.AddMessageAsync("alice", other.Id, UserMessage("elsewhere")))!;

        Assert.True(await Sessions.SelectMessageAsync("alice", session.Id, first.Id));
        Assert.False(await Sessions.SelectMessageAsync("alice", session.Id, elsewhere.Id));
        Assert.False(await Sessions.SelectMessageAsync("bob", session.Id, first.Id));
        var next = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("follow-up")))!;

        Assert.Equal(first.Id, next.ParentId);
        Assert.Equal(next.Id, (await Sessions.GetSessionAsync("alice", session.Id))?.CurrentMessageId);
    }

    [Fact]
    public async Task DeleteMessageAsync_CurrentMessage_CurrentMovesToItsParent()
    {
        var session = await Sessions.CreateSessionAsync("alice", null, null);
        var question = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("question")))!;
        var taken = (await Sessions.AddMessageAsync("alice", session.Id, UserMessage("taken back")))!;

        Assert.True(await Sessions.DeleteMessageAsync("alice", session.Id, taken.Id));

        Assert.Equal(question.Id, (await Sessions.GetSessionAsync("alice", session.Id))?.CurrentMessageId);
    }

    [Fact]
    public async Task UpdateSessionAsync_GivenFields_ChangeAndTheOthersStay()
    {
        var session = await Sessions.CreateSessionAsync("alice", "title", "be brief");
        var settings = new ChatSettings { MaxTokens = 64, Temperature = 0.25, TopP = 0.5, TopK = 7, Seed = 1L << 40 };

        var withSettings = await Sessions.UpdateSessionAsync("alice", session.Id, new SessionChanges { Settings = settings });
        var withPrompt = await Sessions.UpdateSessionAsync("alice", session.Id, new SessionChanges { SystemPrompt = "be thorough" });
        var cleared = await Sessions.UpdateSessionAsync("alice", session.Id, new SessionChanges { Settings = null, Title = null });

        Assert.Equal(("title", "be brief", settings), (withSettings?.Title, withSettings?.SystemPrompt, withSettings?.Settings));
        Assert.Equal(("title", "be thorough", settings), (withPrompt?.Title, withPrompt?.SystemPrompt, withPrompt?.Settings));
        Assert.Equal((null, "be thorough", ChatSettings.Defaults), (cleared?.Title, cleared?.SystemPrompt, cleared?.Settings));
        Assert.Equal(ChatSettings.Defaults, (await Sessions.GetSessionAsync("alice", session.Id))?.Settings);
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

        var session = await Sessions.ImportSessionAsync("alice", import);

        var messages = (await Sessions.ListMessagesAsync("alice", session.Id))!;
        Assert.Equal(["q", "a1", "a2"], messages.Select(m => m.Content));
        Assert.Equal([null, messages[0].Id, messages[0].Id], messages.Select(m => m.ParentId));
        Assert.Equal(messages[1].Id, session.CurrentMessageId);
        Assert.Equal(("imported", "sys", 0.0, 3), (session.Title, session.SystemPrompt, session.Settings.Temperature, session.MessageCount));
        Assert.Null(await Sessions.ListMessagesAsync("bob", session.Id));
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

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Sessions.ImportSessionAsync("alice", import));

        Assert.Empty(await Sessions.ListSessionsAsync("alice"));
        Assert.Equal(new StorageUsage(0, 0, 0), await Sessions.GetUsageAsync("alice"));
    }

    [Fact]
    public async Task AddMessageAsync_TextWithNul_IsStored()
    {
        // A small model can generate the byte 0; PostgreSQL's text cannot hold it and keeps U+FFFD instead.
        var session = await Sessions.CreateSessionAsync("alice", "a\0b", null);
        var stored = await Sessions.AddMessageAsync("alice", session.Id, Reply("x\0y"));

        Assert.Contains(stored?.Content, new[] { "x\0y", "x\uFFFDy" });
        Assert.Contains((await Sessions.GetSessionAsync("alice", session.Id))?.Title, new[] { "a\0b", "a\uFFFDb" });
    }

    private static NewMessage Reply(string text) => new() { Role = ChatRole.Assistant, Content = text, TokenCount = text.Length, FinishReason = "stop" };

    private static NewMessage UserMessage(string text) => new() { Role = ChatRole.User, Content = text, TokenCount = text.Length };
}
