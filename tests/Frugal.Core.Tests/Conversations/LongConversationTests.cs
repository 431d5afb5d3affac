using Frugal.Conversations;
using Frugal.Inference;
using Frugal.Requests;
using Frugal.Storage.Sqlite;
using Frugal.Tests.Inference;

namespace Frugal.Tests.Conversations;

/// <summary>
/// A conversation of 40 turns through the conversation service (the sessions API's core) on the tiny model with a
/// context it fills within a dozen turns, the real engine and a real SQLite file: after every turn the stored
/// messages, the history window the reply was generated from and the session's KV cells agree, and once the context is
/// full no turn evaluates more than its new message and the template's separators (counted, never timed).
/// </summary>
[Collection(TinyEngineCollection.Name)]
public sealed class LongConversationTests(TinyEngineFixture fixture) : IAsyncLifetime
{
    private const int ContextSize = 384;
    private const int ReplyTokens = 16;
    private const string Owner = "alice";
    private const string System = "You answer in short sentences.";

    // Template text around a new user message and the reply's start (Zephyr: "</s>\n<|user|>\n" ... "</s>\n<|assistant|>\n").
    private const int Separators = 24;

    private static readonly string[] Topics = ["boats", "trees", "rivers", "clouds", "bread", "stones", "birds", "lamps"];
    private readonly TempDirectory _directory = new();
    private LlamaEngine _engine = null!;

    public async ValueTask InitializeAsync() =>
        _engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = fixture.TinyModelPath, ContextSize = ContextSize });

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task StartTurnAsync_FortyTurns_StoredMessagesWindowAndKvCellsAgreeAndOnlyTheNewTurnIsEvaluated()
    {
        var service = new ConversationService(new SqliteConversationStore(SqliteDatabase.Open(_directory.Path)), ChatPipeline.ForEngine(_engine));
        var session = await service.CreateSessionAsync(Owner, "long", System, new ChatSettings { MaxTokens = ReplyTokens, Temperature = 0 },
            TestContext.Current.CancellationToken);
        var sent = new List<string>();
        int? filledAt = null;
        var shifts = 0;
        for (var turn = 1; turn <= 40; turn++)
        {
            var user = $"Question {turn}: tell me one more thing about {Topics[turn % Topics.Length]} and why.";
            var reply = await SendAsync(service, session.Id, user);
            sent.Add(user);
            sent.Add(reply.Message.Content);
            shifts += reply.Stats.ShiftedOutTokens > 0 ? 1 : 0;
            filledAt ??= reply.OmittedMessages > 0 ? turn : null;

            // Stored: every message of every turn, in order, the shifted turns' replies marked as such.
            var stored = (await service.GetMessagesAsync(Owner, session.Id, TestContext.Current.CancellationToken))!.Branch;
            Assert.Equal(sent, stored.Select(m => m.Content));
            Assert.Equal(reply.Stats.ShiftedOutTokens > 0, stored[^1].ContextShifted);

            // The window: whole turns, the newest ones, from a user message on; the reply saw exactly those after the system prompt.
            var window = stored.Skip(reply.OmittedMessages).SkipLast(1).ToList();
            Assert.True(reply.OmittedMessages % 2 == 0 && window[0].Role == ChatRole.User, $"turn {turn}: window starts at message {reply.OmittedMessages}");
            List<ChatTurn> prompt = [new(ChatRole.System, System), .. window.Select(m => new ChatTurn(m.Role, m.Content) { GeneratedTokens = m.TokenIds })];

            // The cells: that window's prompt, then the reply as generated (all but its last token, never fed back, plus the
            // next turn's separator when the loop had idle time for it), at contiguous positions from 0.
            var view = await _engine.InspectSessionAsync(ConversationService.SessionKey(session.Id));
            Assert.NotNull(view);
            Assert.Equal(_engine.TokenizePrompt(prompt, Owner), view.Tokens.Take(reply.Stats.PromptTokens));
            var ids = reply.Stats.ReplyTokenIds!;
            Assert.Equal(ids.SkipLast(1), view.Tokens.Skip(reply.Stats.PromptTokens).Take(ids.Count - 1));
            Assert.Equal((0, view.Tokens.Count - 1), (view.MinPosition, view.MaxPosition));

            if (turn > 1)
            {
                var evaluated = reply.Stats.PromptTokens - reply.Stats.CachedPromptTokens;
                Assert.True(evaluated <= _engine.CountTokens(user) + Separators,
                    $"turn {turn}: evaluated {evaluated} of {reply.Stats.PromptTokens} (shifted out {reply.Stats.ShiftedOutTokens})");
            }
        }

        Assert.NotNull(filledAt);
        Assert.True(filledAt < 20, $"the context filled only at turn {filledAt}");
        Assert.InRange(shifts, 2, 10); // the window drops old turns in chunks, not every turn
    }

    // Starts the turn, reads its reply to the end and gives the session back.
    private static async Task<ConversationReply> SendAsync(ConversationService service, string sessionId, string text)
    {
        await using var turn = await service.StartTurnAsync(Owner, sessionId, TurnStart.Send(text), cancellationToken: TestContext.Current.CancellationToken);
        await foreach (var _ in turn.ReadAsync())
        {
        }

        return turn.Reply ?? throw new InvalidOperationException("The turn ended without a stored reply.");
    }
}
