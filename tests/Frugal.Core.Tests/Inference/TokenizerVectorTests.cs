namespace Frugal.Tests.Inference;

[Collection(TinyEngineCollection.Name)]
public sealed class TokenizerVectorTests(TinyEngineFixture fixture)
{
    [Fact]
    public async Task Tokenize_EveryLlamaSpmVector_MatchesExpectedIds()
    {
        await using var engine = await fixture.LoadSpmAsync();
        var failures = ReadCases()
            .Select((c, i) => (Index: i, c.Input, c.Expected, Actual: engine.Tokenize(c.Input)))
            .Where(r => !r.Actual.SequenceEqual(r.Expected))
            .Select(r => $"case {r.Index} '{r.Input}': expected [{string.Join(' ', r.Expected)}], got [{string.Join(' ', r.Actual)}]")
            .ToList();

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Tokenize_VectorFile_HasAllCases() => Assert.True(ReadCases().Count >= 40);

    private static List<(string Input, int[] Expected)> ReadCases()
    {
        var path = TestModels.LlamaVocabulary;
        var inputs = File.ReadAllText(path + ".inp").Split("\n__ggml_vocab_test__\n");
        var outputs = File.ReadAllText(path + ".out").Split('\n');

        // Both files end with a separator / newline, so the last piece of each is empty.
        Assert.Equal(inputs.Length, outputs.Length);
        return inputs[..^1]
            .Zip(outputs[..^1], (input, output) => (input, output
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(int.Parse)
                .ToArray()))
            .ToList();
    }
}
