using Frugal.Inference;

namespace Frugal.Tests.Inference;

/// <summary>One engine on a small real model, loaded once for every test in <see cref="TinyEngineCollection"/>.</summary>
public sealed class TinyEngineFixture : IAsyncLifetime
{
    private LlamaEngine? _engine;

    public LlamaEngine Engine => _engine ?? throw new InvalidOperationException("the fixture is not initialized");

    public async Task InitializeAsync() =>
        _engine = await LlamaEngine.LoadAsync(new EngineOptions
        {
            ModelPath = SharedModels.TinyRandomLlama2,
            ContextSize = 512,
            ChatTemplate = ChatTemplateFamily.Zephyr,
        });

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TinyEngineCollection : ICollectionFixture<TinyEngineFixture>
{
    public const string Name = "tiny engine";
}
