namespace Frugal.Tests.Inference;

[Collection(TinyEngineCollection.Name)]
public sealed class TokenizerVectorTests(TinyEngineFixture fixture)
{
    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < ReadCases().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tokenize_LlamaSpmVector_MatchesExpectedIds(int index)
    {
        var (input, expected) = ReadCases()[index];

        var ids = fixture.Engine.Tokenize(input);

        Assert.Equal(expected, ids);
    }

    [Fact]
    public void Tokenize_VectorFile_HasAllCases() => Assert.True(ReadCases().Count >= 40);

    private static List<(string Input, int[] Expected)> ReadCases()
    {
        var path = SharedModels.LlamaSpmVocabulary;
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
