using System.Text.Json;
using Frugal.Grammars;
using Frugal.Inference;
using Frugal.Tests.Inference;
using Json.Schema;

namespace Frugal.Tests.Grammars;

/// <summary>
/// The tiny random model under a schema's grammar: whatever it picks, every reply is JSON that the schema
/// accepts (checked by an independent validator, formats asserted).
/// </summary>
[Collection(TinyEngineCollection.Name)]
public sealed class ConstrainedGenerationTests(TinyEngineFixture fixture)
{
    private static readonly EvaluationOptions Strict = new() { RequireFormatValidation = true, OutputFormat = OutputFormat.List };

    public static TheoryData<string, string> Schemas => SchemaCorpus.Schemas;

    [Theory]
    [MemberData(nameof(Schemas))]
    public async Task GenerateAsync_UnderSchemaGrammar_EveryReplyValidates(string name, string schemaText)
    {
        using var document = JsonDocument.Parse(schemaText);
        var grammar = JsonSchemaGrammar.FromSchema(document.RootElement);
        var validator = JsonSchema.FromText(WithoutNullable(schemaText));
        for (uint seed = 1; seed <= 4; seed++)
        {
            var (text, stats, _) = await GenerationRuns.RunAsync(fixture.Engine, Request(grammar, seed), TestContext.Current.CancellationToken);

            Assert.True(stats.FinishReason == FinishReason.Stop, $"{name}, seed {seed}: ended by {stats.FinishReason} after '{text}'\n{grammar.Text}");
            using var reply = JsonDocument.Parse(text);
            var result = validator.Evaluate(reply.RootElement, Strict);
            Assert.True(result.IsValid, $"{name}, seed {seed}: '{text}' does not validate: {Describe(result)}\n{grammar.Text}");
        }
    }

    [Fact]
    public async Task GenerateAsync_AnyObjectGrammar_ReplyIsAJsonObject()
    {
        for (uint seed = 1; seed <= 3; seed++)
        {
            var (text, stats, _) = await GenerationRuns.RunAsync(fixture.Engine, Request(JsonSchemaGrammar.AnyObject, seed) with { MaxTokens = 400 },
                TestContext.Current.CancellationToken);
            if (stats.FinishReason == FinishReason.Stop)
            {
                using var reply = JsonDocument.Parse(text);
                Assert.Equal(JsonValueKind.Object, reply.RootElement.ValueKind);
            }
            else
            {
                // Cut by the token budget: still the start of an object.
                Assert.StartsWith("{", text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task GenerateAsync_GrammarInParallelEngine_EachReplyFollowsItsOwnGrammar()
    {
        using var a = JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"boolean"}},"required":["a"],"additionalProperties":false}""");
        using var b = JsonDocument.Parse("""{"type":"array","items":{"type":"integer","minimum":0,"maximum":9},"minItems":1,"maxItems":3}""");
        var engine = fixture.ParallelEngine;
        var runs = await Task.WhenAll(
            GenerationRuns.RunAsync(engine, Request(JsonSchemaGrammar.FromSchema(a.RootElement), 1), TestContext.Current.CancellationToken),
            GenerationRuns.RunAsync(engine, Request(JsonSchemaGrammar.FromSchema(b.RootElement), 2), TestContext.Current.CancellationToken),
            GenerationRuns.RunAsync(engine, GenerationRuns.Greedy("free text", 8), TestContext.Current.CancellationToken));

        using var first = JsonDocument.Parse(runs[0].Text);
        using var second = JsonDocument.Parse(runs[1].Text);
        Assert.Equal(JsonValueKind.Object, first.RootElement.ValueKind);
        Assert.Equal(JsonValueKind.Array, second.RootElement.ValueKind);
        Assert.Equal(8, runs[2].Stats.CompletionTokens);
    }

    [Fact]
    public async Task GenerateAsync_GrammarCancelled_EndsCancelled()
    {
        using var cancel = new CancellationTokenSource();
        var request = Request(JsonSchemaGrammar.AnyObject, 3) with { MaxTokens = 400 };
        var texts = 0;
        FinishReason? reason = null;
        await foreach (var update in fixture.Engine.GenerateAsync(request, cancel.Token))
        {
            if (update.Text.Length > 0 && ++texts == 2)
            {
                await cancel.CancelAsync();
            }

            reason = update.Completed?.FinishReason ?? reason;
        }

        Assert.Equal(FinishReason.Cancelled, reason);
    }

    private static GenerationRequest Request(GbnfGrammar grammar, uint seed) => new()
    {
        Messages = [new ChatTurn(ChatRole.User, "Answer in JSON.")],
        MaxTokens = 300,
        Sampling = SamplingOptions.Default with { Temperature = 1f, Seed = seed },
        Grammar = grammar,
    };

    // OpenAPI's 'nullable' is no JSON-schema keyword: the validator reads it as the type array it means.
    private static string WithoutNullable(string schema) =>
        System.Text.RegularExpressions.Regex.Replace(schema, "\"type\":\"(\\w+)\",\"nullable\":true", "\"type\":[\"$1\",\"null\"]");

    private static string Describe(EvaluationResults result) =>
        string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));
}
