using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Inference;

public sealed class LlamaEngineLoadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("frugal-engine-load-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task LoadAsync_MissingFile_ThrowsModelFileException()
    {
        var path = Path.Combine(_dir, "absent.gguf");

        var error = await Assert.ThrowsAsync<ModelFileException>(() => LoadAsync(path));

        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public async Task LoadAsync_NotGguf_ThrowsModelFileExceptionBeforeNativeCode()
    {
        var path = Path.Combine(_dir, "noise.gguf");
        await File.WriteAllBytesAsync(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray(), TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<ModelFileException>(() => LoadAsync(path));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public async Task LoadAsync_TruncatedModel_ThrowsModelFileException(int keepBytes)
    {
        var path = Path.Combine(_dir, $"cut-{keepBytes}.gguf");
        await using (var source = File.OpenRead(TestModels.TinyRandom))
        await using (var target = File.Create(path))
        {
            var buffer = new byte[keepBytes];
            await source.ReadExactlyAsync(buffer, TestContext.Current.CancellationToken);
            await target.WriteAsync(buffer, TestContext.Current.CancellationToken);
        }

        await Assert.ThrowsAsync<ModelFileException>(() => LoadAsync(path));
    }

    public static TheoryData<string> Models => TestModels.RandomLlamas;

    [Theory]
    [MemberData(nameof(Models))]
    public async Task LoadAsync_ValidModel_ReportsWhatItLoaded(string model)
    {
        await using var engine = await LoadAsync(TestModels.RandomLlama(model));

        Assert.Equal(256, engine.ContextSize);
        Assert.Equal(ChatTemplateFamily.Llama2, engine.TemplateFamily);
        Assert.Equal("llama", engine.Model.Architecture);
        Assert.True(engine.Threads >= 1);
    }

    private static Task<LlamaEngine> LoadAsync(string path) =>
        LlamaEngine.LoadAsync(new EngineOptions { ModelPath = path, ContextSize = 256, ChatTemplate = ChatTemplateFamily.Llama2 });
}
