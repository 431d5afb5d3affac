using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Caching;

/// <summary>The real engine on the tiny synthesized model, loaded once for a test class.</summary>
public sealed class TinyEngineFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("frugal-cache-tests-").FullName;

    public LlamaEngine Engine { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var model = Path.Combine(_directory, "tiny.gguf");
        ModelSynthesizer.WriteTiny(model);
        Engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = model, ContextSize = 512 });
    }

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
