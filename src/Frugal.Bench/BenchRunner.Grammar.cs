using System.Text.Json;
using Frugal.Grammars;
using Frugal.Inference;

namespace Frugal.Bench;

public sealed partial class BenchRunner
{
    // An array of records too long to end within the decode budget, so every measured token is under the grammar.
    private const string BenchSchema = """
        {"type":"array","minItems":64,"items":{"type":"object","additionalProperties":false,"required":["name","age","day","tags"],
         "properties":{"name":{"type":"string","maxLength":16},"age":{"type":"integer","minimum":0,"maximum":120},
         "day":{"type":"string","format":"date"},"tags":{"type":"array","maxItems":3,"items":{"enum":["red","green","blue"]}}}}}
        """;

    /// <summary>Decode tokens/s with the bench schema's grammar and without it, the same prompt, alternating which goes first.</summary>
    private async Task<GrammarFigures> GrammarDecodeAsync(IInferenceEngine engine, CancellationToken cancellationToken)
    {
        using var schema = JsonDocument.Parse(BenchSchema);
        var grammar = JsonSchemaGrammar.FromSchema(schema.RootElement);
        var rounds = new List<(double Free, double Constrained)>();
        for (var round = 0; round < Math.Max(1, _options.Rounds); round++)
        {
            var text = BenchText.OfTokens(12, 1100 + round, engine.CountTokens);
            var free = 0.0;
            var constrained = 0.0;
            for (var side = 0; side < 2; side++)
            {
                var withGrammar = (side == 0) == (round % 2 == 0);
                var request = Request(text, _options.DecodeTokens) with { Grammar = withGrammar ? grammar : null };
                var stats = await GenerateAsync(engine, request, cancellationToken).ConfigureAwait(false);
                if (withGrammar)
                {
                    constrained = stats.DecodeTokensPerSecond;
                }
                else
                {
                    free = stats.DecodeTokensPerSecond;
                }
            }

            rounds.Add((free, constrained));
            _progress.Report($"grammar round {round + 1}: free {free:F1} tok/s, JSON-schema grammar {constrained:F1} tok/s");
        }

        return new GrammarFigures(Median(rounds.Select(r => r.Free)), Median(rounds.Select(r => r.Constrained)),
            Median(rounds.Select(r => r.Constrained / r.Free)));
    }
}
