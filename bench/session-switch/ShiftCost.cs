using System.Diagnostics;
using System.Globalization;
using System.Text;
using Frugal.Inference;

/// <summary>
/// What a context shift costs when it is made as the next message arrives (issue 13's question of doing it while idle
/// instead): one session, a long first turn, then plain turns (one more short turn kept) alternating with shifted ones
/// (the oldest short turn dropped, the kept ones moved down), each evaluating only its new message. Compared: time to
/// first token (the shift's K-shift pass runs inside the first decode) and the time from the last text to the end (the
/// shifted sequence is read out and loaded back compact after the reply).
/// </summary>
internal static class ShiftCost
{
    public static async Task RunAsync(string model, int context, int longTokens, int pairs)
    {
        var engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = model, ContextSize = context, PrepareNextTurn = false });
        await using (engine.ConfigureAwait(false))
        {
            var words = string.Join(' ', Enumerable.Repeat("the river runs past the old mill and on to the sea", (longTokens / 12) + 1));
            List<ChatTurn> head = [new(ChatRole.System, "You answer briefly."), new(ChatRole.User, words)];
            var first = await TurnAsync(engine, [.. head]);
            head.Add(new ChatTurn(ChatRole.Assistant, first.Text));
            var turns = new List<ChatTurn[]>();
            var plain = new List<Figures>();
            var shifted = new List<Figures>();
            for (var i = 0; i < (2 * pairs) + 2; i++)
            {
                var shift = i >= 2 && i % 2 == 1;
                if (shift)
                {
                    turns.RemoveAt(0);
                }

                var user = new ChatTurn(ChatRole.User, $"Question {i}: and then what happened to the mill and the river after that?");
                var turn = await TurnAsync(engine, [.. head, .. turns.SelectMany(t => t), user]);
                turns.Add([user, new ChatTurn(ChatRole.Assistant, turn.Text)]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"turn {i} {(shift ? "shifted" : "plain  ")}: prompt {turn.Figures.Prompt}, evaluated {turn.Figures.Evaluated}, shifted out {turn.Figures.ShiftedOut}, first token {turn.Figures.FirstTokenMs:F1} ms, last text to end {turn.Figures.TailMs:F1} ms"));
                if (i >= 2)
                {
                    (shift ? shifted : plain).Add(turn.Figures);
                }
            }

            var plainFirst = Median(plain.Select(f => f.FirstTokenMs));
            var shiftedFirst = Median(shifted.Select(f => f.FirstTokenMs));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"plain turns: median first token {plainFirst:F1} ms, tail {Median(plain.Select(f => f.TailMs)):F1} ms, evaluated {Median(plain.Select(f => (double)f.Evaluated))} tokens"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shifted turns: median first token {shiftedFirst:F1} ms, tail {Median(shifted.Select(f => f.TailMs)):F1} ms, evaluated {Median(shifted.Select(f => (double)f.Evaluated))} tokens, {Median(shifted.Select(f => (double)f.ShiftedOut))} cells dropped"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shifted/plain first token {shiftedFirst / plainFirst:F3}; tail shifted - plain {Median(shifted.Select(f => f.TailMs)) - Median(plain.Select(f => f.TailMs)):F1} ms"));
        }
    }

    private static async Task<(string Text, Figures Figures)> TurnAsync(LlamaEngine engine, List<ChatTurn> messages)
    {
        var text = new StringBuilder();
        long lastText = 0;
        GenerationStats? stats = null;
        await foreach (var update in engine.GenerateAsync(new GenerationRequest
        {
            Messages = messages,
            MaxTokens = 4,
            Sampling = SamplingOptions.Default with { Temperature = 0f },
            SessionKey = "s",
        }))
        {
            if (update.Text.Length > 0)
            {
                lastText = Stopwatch.GetTimestamp();
                text.Append(update.Text);
            }

            stats = update.Completed ?? stats;
        }

        var end = Stopwatch.GetTimestamp();
        var done = stats ?? throw new InvalidOperationException("no figures");
        return (text.ToString(), new Figures(done.PromptTokens, done.PromptTokens - done.CachedPromptTokens, done.ShiftedOutTokens,
            done.TimeToFirstToken.TotalMilliseconds, Stopwatch.GetElapsedTime(lastText == 0 ? end : lastText, end).TotalMilliseconds));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record Figures(int Prompt, int Evaluated, int ShiftedOut, double FirstTokenMs, double TailMs);
}
