namespace Frugal.Tests.Inference;

/// <summary>
/// llama.cpp's tokenizer, as the engine calls it, against expected token ids: on our own 32,000-token
/// vocabulary the ids an independent SentencePiece tokenization of the vocabulary file gives
/// (<see cref="ReferenceSentencePiece"/>); on Llama-2's, when the shared files are there, llama.cpp's own
/// test vectors (which the reference tokenization must give as well).
/// </summary>
[Collection(TinyEngineCollection.Name)]
public sealed class TokenizerVectorTests(TinyEngineFixture fixture)
{
    // The kinds of text llama.cpp's vocabulary tests cover: spaces, tabs and newlines in runs, punctuation,
    // digits, words in and out of the vocabulary, other scripts, emoji (with joiners), and the specials' spelling.
    private static readonly string[] Inputs =
    [
        "", " ", "  ", "   ", "\t", "\n", "\n\n", "\n\n\n", "\t\n", "Hello world", " Hello world", "Hello World",
        " Hello World", " Hello World!", "Hello, world!", " Hello, world!", " this is 🦙.cpp", "w048 7tuijk dsdfhu",
        "нещо на Български", "កាន់តែពិសេសអាចខលចេញ", "🚀 (normal) 😶‍🌫️ (multiple emojis concatenated) ✅ (only emoji that has its own token)",
        "Hello", " Hello", "  Hello", "   Hello", "    Hello", "    Hello\n    Hello", " (", "\n =", "' era", "Hello, y'all! How are you 😁 ?我想在apple工作1314151天～",
        "!!!!!!", "3", "33", "333", "3333", "33333", "333333", "3333333", "33333333", "333333333", "Cửa Việt", " discards",
        "the user asks the assistant a question", "thank you for the help, my friend", "<s></s><|user|>\n", "[INST] <<SYS>>\n",
        "qzx vwkj", "data->file => token::memory // code", "\u00a0non-breaking\u00a0spaces\u00a0",
    ];

    public static TheoryData<string> Vocabularies => TestModels.Vocabularies;

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public async Task Tokenize_EveryVector_MatchesExpectedIds(string vocabulary)
    {
        await using var engine = await fixture.LoadSpmAsync(vocabulary: vocabulary);
        var reference = new ReferenceSentencePiece(TestModels.VocabularyFile(vocabulary));
        List<(string Input, int[] Expected)> cases = vocabulary == TestModels.VocabularyName
            ? [.. Inputs.Select(input => (Input: input, Expected: reference.Tokenize(input)))]
            : ReadSharedCases();

        var failures = cases
            .Select((c, i) => (Index: i, c.Input, c.Expected, Actual: engine.Tokenize(c.Input), Reference: reference.Tokenize(c.Input)))
            .Where(r => !r.Actual.SequenceEqual(r.Expected) || !r.Reference.SequenceEqual(r.Expected))
            .Select(r => $"case {r.Index} '{r.Input}': expected [{string.Join(' ', r.Expected)}], llama.cpp [{string.Join(' ', r.Actual)}], reference [{string.Join(' ', r.Reference)}]")
            .ToList();

        Assert.True(cases.Count >= 40, $"{cases.Count} cases");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Tokenize_OwnVocabulary_SpellsEveryInputBackAndUsesWholeWords()
    {
        await using var engine = await fixture.LoadSpmAsync();
        var reference = new ReferenceSentencePiece(TestModels.Vocabulary);

        Assert.All(Inputs.Where(i => i.Length > 0), input => Assert.Equal(" " + input, reference.Detokenize(engine.Tokenize(input))));
        Assert.Equal([reference.Id("\u2581hello"), reference.Id("\u2581world")], engine.Tokenize("hello world"));
        Assert.Equal([reference.Id("\u2581qzx")], engine.Tokenize("qzx"));
        // A character outside the vocabulary comes as its UTF-8 bytes, never as <unk>.
        Assert.Equal([reference.Id("\u2581"), reference.Id("<0xD0>"), reference.Id("<0xB9>")], engine.Tokenize("й"));
        Assert.DoesNotContain(0, Inputs.SelectMany(engine.Tokenize));
        Assert.Equal(TestModels.VocabularySize, reference.Pieces.Count);
    }

    private static List<(string Input, int[] Expected)> ReadSharedCases()
    {
        var path = SharedModels.LlamaVocabulary;
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
