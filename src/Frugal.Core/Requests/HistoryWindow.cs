using System.Runtime.CompilerServices;
using Frugal.Inference;

namespace Frugal.Requests;

/// <summary>
/// The one place history is trimmed: chooses what of a conversation the model sees. The leading system
/// messages and the last message always stay; in between, the newest whole turns (a user message with the
/// replies after it) are kept — at most <c>maxExchanges</c> of them when memory pressure limits history, and
/// when <see cref="ChatRequest.FitHistory"/> only as many as fit the context minus the reply budget. A message
/// is never cut, and an older turn is never taken once a newer one was not, so the model sees one unbroken
/// stretch of the end of the conversation. Turns are weighed by their stored token counts; the chosen prompt
/// is tokenized once.
/// <para>
/// When the history overflows, the oldest turns go in one chunk, down to about half the budget
/// (<see cref="DropTargetShare"/>), and the window's start then stays where it is until the next overflow:
/// consecutive turns share their prompt's beginning, so the engine keeps its KV cache (it shifts the cells of
/// the kept turns down once per drop, see the engine's context shift) instead of re-reading the window at every
/// turn. The start is found by replaying the conversation's turns against the budget, so it needs no state and
/// is the same for every caller that sends the same conversation.
/// </para>
/// </summary>
public static class HistoryWindow
{
    /// <summary>When the history overflows, the oldest turns are dropped until the prompt fits this share of the budget.</summary>
    public const double DropTargetShare = 0.5;

    private static readonly ConditionalWeakTable<IInferenceEngine, Framing> Framings = new();

    /// <summary>
    /// Selects the prompt of <paramref name="request"/>. Throws <see cref="ChatRequestException"/>
    /// (<c>context_length_exceeded</c>) when history is fitted and the system messages and the last message
    /// alone leave no room for <paramref name="replyBudget"/> tokens.
    /// </summary>
    public static HistorySelection Select(IInferenceEngine engine, ChatRequest request, int replyBudget, int? maxExchanges = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Raw is { } raw)
        {
            return new HistorySelection(request.Messages, 0, engine.CountPromptTokens(raw)); // read as given: no history to choose
        }

        var messages = request.Messages;
        var headCount = 0;
        while (headCount < messages.Count - 1 && messages[headCount].Role == ChatRole.System)
        {
            headCount++;
        }

        var head = messages.Take(headCount).ToList();
        var last = messages[^1];
        var turns = GroupTurns(messages, request.MessageTokens, headCount);
        var dropped = 0;
        if (maxExchanges is { } exchanges && turns.Count > exchanges)
        {
            dropped = turns.Take(turns.Count - exchanges).Sum(t => t.Messages.Count);
            turns = turns.Skip(turns.Count - exchanges).ToList();
        }

        var eligible = turns.Sum(t => t.Messages.Count);
        var context = ChatRequestValidator.ContextFor(request, engine.ContextSize);
        var kept = request.FitHistory ? Fit(engine, head, last, LastTokens(engine, request), turns, context - replyBudget) : turns.Count;
        while (true)
        {
            List<ChatTurn> prompt = [.. head, .. turns.Skip(turns.Count - kept).SelectMany(t => t.Messages), last];
            var tokens = engine.CountPromptTokens(prompt);
            if (!request.FitHistory || tokens <= context - replyBudget || kept == 0)
            {
                if (request.FitHistory && tokens > context - replyBudget)
                {
                    throw TooLong(request, tokens, replyBudget, context);
                }

                var keptMessages = prompt.Count - head.Count - 1;
                return new HistorySelection(prompt, eligible - keptMessages, tokens) { DroppedMessages = dropped };
            }

            kept--; // the estimate from stored counts was short: take the oldest kept turn out and count again
        }
    }

    // How many of the newest turns the window keeps, by their token counts and the template's framing of each
    // message: the conversation is replayed turn by turn (each turn's user message once stood last), and whenever
    // the prompt would have overflowed the oldest turns go until it fits the drop target. The replay makes the
    // start stable: the next turn finds the same one unless it overflows again.
    private static int Fit(IInferenceEngine engine, List<ChatTurn> head, ChatTurn last, int lastTokens, List<Turn> turns, int budget)
    {
        var framing = Framings.GetValue(engine, Framing.Measure);
        var fixedCost = framing.Base + head.Sum(m => engine.CountTokens(m.Content) + framing.Of(m.Role));

        // Stored counts and the framing measured on one probe are estimates (a template's text merges with its
        // content): a margin keeps a prompt the estimate lets through from overflowing when counted exactly.
        var limit = budget - Math.Max(16, budget / 32);
        var target = (int)(budget * DropTargetShare);
        var costs = turns.Select(t => t.Cost(engine, framing)).ToArray();
        var start = 0;
        var history = 0; // cost of turns[start..j)
        for (var j = 0; j <= turns.Count; j++)
        {
            var standingLast = j < turns.Count
                ? turns[j].FirstCost(engine, framing)
                : lastTokens + framing.Of(last.Role);
            if (fixedCost + history + standingLast > limit)
            {
                while (start < j && fixedCost + history + standingLast > target)
                {
                    history -= costs[start++];
                }
            }

            if (j < turns.Count)
            {
                history += costs[j];
            }
        }

        return turns.Count - start;
    }

    private static int LastTokens(IInferenceEngine engine, ChatRequest request) =>
        request.MessageTokens is { } counts && counts.Count == request.Messages.Count && counts[^1] > 0
            ? counts[^1]
            : engine.CountTokens(request.Messages[^1].Content);

    private static ChatRequestException TooLong(ChatRequest request, int tokens, int replyBudget, int contextSize) => new(
        $"The message needs {tokens} prompt tokens (with the system prompt) and the reply {replyBudget}, " +
        $"more than the context of {contextSize} tokens. Shorten the message or ask for fewer tokens.",
        request.Names.Messages, "context_length_exceeded");

    // A turn starts at a user message and takes the replies after it; replies before any user message form their own turn.
    private static List<Turn> GroupTurns(IReadOnlyList<ChatTurn> messages, IReadOnlyList<int>? counts, int headCount)
    {
        var known = counts is not null && counts.Count == messages.Count;
        var turns = new List<Turn>();
        for (var i = headCount; i < messages.Count - 1; i++)
        {
            var message = messages[i];
            if (message.Content.Length == 0)
            {
                continue;
            }

            if (message.Role == ChatRole.User || turns.Count == 0)
            {
                turns.Add(new Turn());
            }

            turns[^1].Messages.Add(message);
            turns[^1].Counts.Add(known && counts![i] > 0 ? counts[i] : null);
        }

        return turns;
    }

    private sealed class Turn
    {
        public List<ChatTurn> Messages { get; } = [];

        // The stored token count of each message; null when unknown (it is counted then).
        public List<int?> Counts { get; } = [];

        public int Cost(IInferenceEngine engine, Framing framing) =>
            Messages.Select((m, i) => (Counts[i] ?? engine.CountTokens(m.Content)) + framing.Of(m.Role)).Sum();

        // The turn's first message as it once stood last in a prompt.
        public int FirstCost(IInferenceEngine engine, Framing framing) =>
            (Counts[0] ?? engine.CountTokens(Messages[0].Content)) + framing.Of(Messages[0].Role);
    }

    /// <summary>What the chat template adds around messages: once per prompt, and per message of each role.</summary>
    private sealed class Framing
    {
        private int _user;
        private int _assistant;

        public int Base { get; private init; }

        public int Of(ChatRole role) => role == ChatRole.Assistant ? _assistant : _user;

        public static Framing Measure(IInferenceEngine engine)
        {
            ChatTurn probe = new(ChatRole.User, "a");
            var one = engine.CountPromptTokens([probe]);
            var text = engine.CountTokens(probe.Content);
            var user = engine.CountPromptTokens([probe, probe]) - one - text;
            var assistant = engine.CountPromptTokens([probe, new ChatTurn(ChatRole.Assistant, "a")]) - one - text;
            return new Framing { Base = one - user - text, _user = Math.Max(0, user), _assistant = Math.Max(0, assistant) };
        }
    }
}
