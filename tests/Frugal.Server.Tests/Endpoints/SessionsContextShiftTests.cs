using System.Net;
using System.Text.Json;
using Frugal.Conversations;
using Frugal.Inference;

namespace Frugal.Tests.Endpoints;

/// <summary>
/// A conversation through <c>/api/sessions</c> that outgrows a small context, on a real server with the tiny model:
/// the reply and the stored message say when the engine shifted the session's KV cells, and the switch that turns the
/// shift off reaches the engine.
/// </summary>
public sealed class SessionsContextShiftTests
{
    // Small enough for sixteen-token replies to fill it in a dozen turns.
    private const int ContextSize = 384;
    private const int ReplyTokens = 16;
    private const string System = "You answer in short sentences.";

    [Fact]
    public async Task SendMessage_ConversationOutgrowsTheContext_ReplyAndStoredMessageSayTheContextWasShifted()
    {
        await using var server = await TinyServer.StartAsync(o => o.Model.ContextSize = ContextSize);
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync(systemPrompt: System);

        var replies = await ConverseAsync(client, id, reply => reply.GetProperty("context_shifted").GetBoolean());

        var shifted = replies[^1];
        Assert.True(shifted.GetProperty("context_shifted").GetBoolean(), $"no shift in {replies.Count} turns");
        Assert.All(replies.SkipLast(1), r => Assert.False(r.GetProperty("context_shifted").GetBoolean()));
        Assert.True(shifted.GetProperty("omitted_messages").GetInt32() > 0);
        // The kept turns were moved, not read again: most of the prompt came from the cache.
        var usage = shifted.GetProperty("usage");
        Assert.True(usage.GetProperty("cached_prompt_tokens").GetInt32() > usage.GetProperty("prompt_tokens").GetInt32() / 2, usage.GetRawText());
        var message = shifted.GetProperty("message");
        Assert.True(message.GetProperty("context_shifted").GetBoolean());

        // The stored history says which reply was generated after a shift, and only that one.
        var stored = await client.GetMessagesAsync(id);
        Assert.Equal(2 * replies.Count, stored.Count);
        var marked = Assert.Single(stored, m => m.GetProperty("context_shifted").GetBoolean());
        Assert.Equal(message.GetProperty("id").GetInt64(), marked.GetProperty("id").GetInt64());
        Assert.Equal("assistant", marked.GetProperty("role").GetString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task SendMessage_SecondSessionOutgrowsTheContextAfterAShiftedOne_ReplyAndStoredMessageSayTheContextWasShifted(int slots)
    {
        await using var server = await TinyServer.StartAsync(o =>
        {
            o.Model.ContextSize = ContextSize;
            o.Model.ParallelSequences = slots;
        });
        using var client = server.CreateClient();
        var first = await ConverseAsync(client, await client.CreateSessionAsync(systemPrompt: System), Shifted);
        Assert.True(Shifted(first[^1]), $"no shift in the first session's {first.Count} turns");

        // Other questions than the first session's: the same ones would be answered from the response cache, and the
        // engine would never hold this session's turns (its window would then start on the first session's shifted cells).
        var id = await client.CreateSessionAsync(systemPrompt: System);
        var replies = await ConverseAsync(client, id, Shifted, ["ships", "forests", "lakes", "storms", "cheese", "hills", "fish", "candles"]);

        var shifted = replies[^1];
        Assert.True(Shifted(shifted), $"no shift in the second session's {replies.Count} turns");
        Assert.All(replies, r => Assert.False(r.GetProperty("cached").GetBoolean()));
        Assert.True(shifted.GetProperty("omitted_messages").GetInt32() > 0);
        var usage = shifted.GetProperty("usage");
        Assert.True(usage.GetProperty("cached_prompt_tokens").GetInt32() > usage.GetProperty("prompt_tokens").GetInt32() / 2, usage.GetRawText());
        var marked = Assert.Single(await client.GetMessagesAsync(id), m => m.GetProperty("context_shifted").GetBoolean());
        Assert.Equal(shifted.GetProperty("message").GetProperty("id").GetInt64(), marked.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task SendMessage_ContextShiftOff_LeavesOutOldTurnsAndReadsTheWindowAgain()
    {
        await using var server = await TinyServer.StartAsync(o =>
        {
            o.Model.ContextSize = ContextSize;
            o.Model.ContextShift = false;
        });
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync(systemPrompt: System);

        var replies = await ConverseAsync(client, id, reply => reply.GetProperty("omitted_messages").GetInt32() > 0);

        var dropped = replies[^1];
        Assert.True(dropped.GetProperty("omitted_messages").GetInt32() > 0, $"nothing left out in {replies.Count} turns");
        Assert.All(replies, r => Assert.False(r.GetProperty("context_shifted").GetBoolean()));
        // Without the shift the window after the system prompt is evaluated again.
        var usage = dropped.GetProperty("usage");
        Assert.True(usage.GetProperty("cached_prompt_tokens").GetInt32() < usage.GetProperty("prompt_tokens").GetInt32() / 2, usage.GetRawText());
        Assert.All(await client.GetMessagesAsync(id), m => Assert.False(m.GetProperty("context_shifted").GetBoolean()));
    }

    [Fact]
    public async Task SendMessage_ShiftedSessionAfterARestart_ReadsOnlyTheNewMessage()
    {
        // States go straight to files (no RAM tier), so the shifted session's cells outlive the restart.
        await using var server = await TinyServer.StartAsync(o =>
        {
            o.Model.ContextSize = ContextSize;
            o.SessionState.MemoryBudget = ByteSize.Zero;
        }, keepStates: true);
        string id;
        using (var client = server.CreateClient())
        {
            id = await client.CreateSessionAsync(systemPrompt: System);
            var replies = await ConverseAsync(client, id, reply => reply.GetProperty("context_shifted").GetBoolean());
            Assert.True(replies[^1].GetProperty("context_shifted").GetBoolean(), $"no shift in {replies.Count} turns");
            // Two turns past the shift: the kept window holds replies generated both before and after it.
            await client.SendAsync(id, "One more thing about boats, please.", ReplyTokens);
            await client.SendAsync(id, "And one about trees.", ReplyTokens);
            // Another session takes the context, so this one's cells are written to its state file.
            await client.SendAsync(await client.CreateSessionAsync(), "hello", 2);
        }

        await server.RestartAsync();

        // The new process knows the replies only from the store: spelled with their stored ids, the prompt matches the
        // restored cells up to the new message (spelled from text, it would part from them at the first kept reply).
        using var after = server.CreateClient();
        var next = await after.SendAsync(id, "What about rivers?", ReplyTokens);
        var usage = next.GetProperty("usage");
        var evaluated = usage.GetProperty("prompt_tokens").GetInt32() - usage.GetProperty("cached_prompt_tokens").GetInt32();
        Assert.True(evaluated <= NewTurnTokens, $"evaluated {evaluated}: {usage.GetRawText()}");
        Assert.False(next.GetProperty("context_shifted").GetBoolean());
    }

    [Fact]
    public async Task SendMessage_ClientHangsUpDuringAShiftedReply_StoredPartialReplySaysTheContextWasShifted()
    {
        // A model that cannot end a reply by itself and a large context, so the reply is still running when the server
        // sees the client go away, on any number of CPUs (the tiny model's greedy reply here ended after some 70 tokens on
        // one thread, before the hang-up was seen, and was stored complete); short turns until the history is a few
        // hundred tokens, then a reply budget that leaves the window only the history's size: the oldest turns are
        // dropped and the kept ones moved.
        await using var server = await TinyServer.StartAsync(o =>
        {
            o.Model.Path = TestModels.TinyUnending;
            o.Model.ContextSize = 4096;
        });
        using var client = server.CreateClient();
        var id = await client.CreateSessionAsync(systemPrompt: System);
        var held = 0;
        for (var turn = 1; held < 300; turn++)
        {
            var reply = await client.SendAsync(id, $"Question {turn}: tell me about boats.", ReplyTokens);
            Assert.Equal(0, reply.GetProperty("omitted_messages").GetInt32());
            var usage = reply.GetProperty("usage");
            held = usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32();
        }

        var sent = (await client.GetMessagesAsync(id)).Count;
        var omitted = 0;
        var body = JsonSerializer.Serialize(new { content = "Go on for a long while.", stream = true, max_tokens = 4096 - held, temperature = 0 });
        using (var response = await client.PostMessageAsync(id, body, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
            // Read until the first piece of the reply, then hang up.
            while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line && !line.Contains("\"type\":\"delta\"", StringComparison.Ordinal))
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains("\"type\":\"start\"", StringComparison.Ordinal))
                {
                    using var start = JsonDocument.Parse(line["data: ".Length..]);
                    omitted = start.RootElement.GetProperty("omitted_messages").GetInt32();
                }
            }
        }

        Assert.True(omitted > 0, "the window kept every turn: no shift to report");

        // The partial reply is stored when the server notices; wait for the store to have it (a bound on waiting, not a speed check).
        await server.Store.WaitForMessageAsync(m => m.SessionId == id && m.Role == ChatRole.Assistant && m.Status == MessageStatus.Partial)
            .WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        var messages = await client.GetMessagesAsync(id);

        Assert.Equal(sent + 2, messages.Count);
        var stored = messages[^1];
        Assert.Equal("partial", stored.GetProperty("status").GetString());
        Assert.Equal("cancelled", stored.GetProperty("finish_reason").GetString());
        Assert.True(stored.GetProperty("context_shifted").GetBoolean(), stored.GetRawText());
        // Only that reply: those before it were generated without a shift.
        Assert.Single(messages, m => m.GetProperty("context_shifted").GetBoolean());
    }

    private static bool Shifted(JsonElement reply) => reply.GetProperty("context_shifted").GetBoolean();

    // The new message ("What about rivers?") and the template's separators around it.
    private const int NewTurnTokens = 32;

    // Turns of one session about `topics` until `until` holds for a reply (at most 40); the replies in order.
    private static async Task<List<JsonElement>> ConverseAsync(HttpClient client, string id, Func<JsonElement, bool> until, string[]? topics = null)
    {
        topics ??= ["boats", "trees", "rivers", "clouds", "bread", "stones", "birds", "lamps"];
        var replies = new List<JsonElement>();
        for (var turn = 1; turn <= 40; turn++)
        {
            var reply = await client.SendAsync(id, $"Question {turn}: tell me one more thing about {topics[turn % topics.Length]} and why.", ReplyTokens);
            replies.Add(reply);
            if (until(reply))
            {
                break;
            }
        }

        return replies;
    }
}
