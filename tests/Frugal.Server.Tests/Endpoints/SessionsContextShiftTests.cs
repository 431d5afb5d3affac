using System.Text.Json;

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

    // Turns of one session until `until` holds for a reply (at most 40); the replies in order.
    private static async Task<List<JsonElement>> ConverseAsync(HttpClient client, string id, Func<JsonElement, bool> until)
    {
        string[] topics = ["boats", "trees", "rivers", "clouds", "bread", "stones", "birds", "lamps"];
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
