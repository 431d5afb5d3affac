using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Models.Corpus;

/// <summary>
/// Issue 14's malformed-file corpus (<see cref="MalformedModelFiles"/>, at least a hundred named cases, each a change
/// to a model our writer wrote): the engine's own load path refuses every one with a <see cref="ModelFileException"/>
/// that names the problem, before llama.cpp reads a byte of it. The unchanged base loads in llama.cpp, so the
/// refusals are the checks' doing.
/// </summary>
public sealed class MalformedModelFileCorpusTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Names => [.. MalformedModelFiles.All.Select(c => c.Name)];

    [Fact]
    public void All_AtLeastAHundredCases_EachNamedOnceWithTheRefusalItExpects()
    {
        var cases = MalformedModelFiles.All;

        Assert.True(cases.Count >= 100, $"the corpus has {cases.Count} cases");
        Assert.Equal(cases.Count, cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(cases, c => Assert.False(string.IsNullOrWhiteSpace(c.Expected), c.Name));
        TestContext.Current.TestOutputHelper?.WriteLine($"{cases.Count} named malformed model files");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task LoadAsync_MalformedModelFile_RefusedByNameBeforeNativeCode(string name)
    {
        var malformed = MalformedModelFiles.All.Single(c => c.Name == name);
        var path = _temp.File("malformed.gguf");
        File.WriteAllBytes(path, malformed.Make());

        // The checks alone first: a file they let through must fail here, not go on into llama.cpp.
        var checks = Assert.Throws<ModelFileException>(() => ModelInfoReader.Read(path));
        var load = await Assert.ThrowsAsync<ModelFileException>(() => LlamaEngine.LoadAsync(new EngineOptions { ModelPath = path, ContextSize = 64 },
            ct: TestContext.Current.CancellationToken));

        Assert.Equal(checks.Problem, load.Problem);
        Assert.True(malformed.Expected.Length > 0 && load.Problem.Contains(malformed.Expected, StringComparison.Ordinal), $"{name}: {load.Problem}");
        Assert.Equal(path, load.FilePath);
    }

    [Fact]
    public async Task LoadAsync_OutputTiedToTheEmbedding_AcceptedAndLoadsInLlamaCpp()
    {
        // llama.cpp reuses the embedding table as the output matrix when a llama model has none.
        var path = _temp.File("tied.gguf");
        File.WriteAllBytes(path, CorpusBase.Tiny.RewriteTensors(tensors => tensors.Where(t => t.Name != "output.weight")));

        Assert.Equal(2 + 2 * 9, ModelInfoReader.Read(path).TensorTypeHistogram.Values.Sum());
        await using var engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = path, ContextSize = 64 }, ct: TestContext.Current.CancellationToken);

        Assert.Equal(2, engine.Model.BlockCount);
    }

    [Fact]
    public async Task LoadAsync_UnchangedBase_LoadsInLlamaCpp()
    {
        var path = _temp.File("base.gguf");
        File.WriteAllBytes(path, CorpusBase.Tiny.Bytes());

        await using var engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = path, ContextSize = 64 }, ct: TestContext.Current.CancellationToken);

        Assert.Equal(2, engine.Model.BlockCount);
    }
}
