using Frugal.Inference;
using Frugal.Requests;

namespace Frugal.Bench;

/// <summary>
/// The long-chat phase: conversations longer than the context, each turn's history chosen by the same history
/// window the sessions API uses, so the context fills and old turns are dropped. One session alone for
/// <see cref="BenchOptions.LongChatTurns"/> turns, then <see cref="BenchOptions.InterleavedSessions"/> sessions
/// taking turns for <see cref="BenchOptions.LongChatInterleavedTurns"/> turns each.
/// </summary>
internal sealed class LongChatBench(BenchOptions options, IProgress<string> progress)
{
    private const string SystemPrompt = "You are a helpful assistant. Answer the user's questions.";
    public async Task<LongChatFigures> RunAsync(IInferenceEngine engine, CancellationToken cancellationToken)
    {
        var single = await ChatAsync(engine, 1, options.LongChatTurns, "long", cancellationToken).ConfigureAwait(false);
        var interleaved = await ChatAsync(engine, options.InterleavedSessions, options.LongChatInterleavedTurns, "long-interleaved", cancellationToken).ConfigureAwait(false);
        var figures = new LongChatFigures(single, interleaved);
        progress.Report($"long chat: after_full_over_before {figures.SingleRatio:F2} alone, {figures.InterleavedRatio:F2} interleaved");
        return figures;
    }

    private async Task<IReadOnlyList<LongChatSession>> ChatAsync(IInferenceEngine engine, int sessions, int turns, string name, CancellationToken cancellationToken)
    {
        var histories = Enumerable.Range(0, sessions).Select(_ => new List<ChatTurn> { new(ChatRole.System, SystemPrompt) }).ToArray();

        // Stored token counts, as the sessions API keeps them: a reply weighs the tokens generated for it.
        var counts = Enumerable.Range(0, sessions).Select(_ => new List<int> { 0 }).ToArray();
        var figures = Enumerable.Range(0, sessions).Select(_ => new LongChatSession()).ToArray();
        for (var turn = 0; turn < turns; turn++)
        {
            for (var session = 0; session < sessions; session++)
            {
                var history = histories[session];
                var user = BenchText.OfTokens(options.UserTokensPerTurn, 50000 + (1000 * (session + 1)) + (100 * sessions) + turn, engine.CountTokens);
                List<ChatTurn> messages = [.. history, new ChatTurn(ChatRole.User, user)];
                var window = HistoryWindow.Select(engine, new ChatRequest
                {
                    Messages = messages,
                    MessageTokens = [.. counts[session], engine.CountTokens(user)],
                    FitHistory = true,
                    Names = new ChatRequestNames("max_tokens", "content"),
                }, options.ReplyTokensPerTurn);
                var request = BenchTurn.Request(window.Messages, options.ReplyTokensPerTurn, $"bench-{name}-{session}");
                var (reply, stats) = await BenchTurn.RunAsync(engine, request, cancellationToken).ConfigureAwait(false);

                history.Add(new ChatTurn(ChatRole.User, user));
                history.Add(new ChatTurn(ChatRole.Assistant, reply));
                counts[session].AddRange([engine.CountTokens(user), stats.CompletionTokens]);
                figures[session].Add(stats, window.OmittedMessages);
                progress.Report($"{name} session {session + 1} turn {turn + 1}: {stats.PromptTokens} prompt tokens ({stats.CachedPromptTokens} kept" +
                    (window.OmittedMessages > 0 ? $", {window.OmittedMessages} messages left out" : "") +
                    (stats.ShiftedOutTokens > 0 ? $", context shifted by {stats.ShiftedOutTokens}" : "") +
                    $"), time to first token {stats.TimeToFirstToken.TotalMilliseconds:F0} ms");
            }
        }

        return figures;
    }
}
