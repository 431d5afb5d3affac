using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Scheduling;

/// <summary>The real engine on the synthesized tiny model (written to a temp dir), shared by the scheduler tests.</summary>
public sealed class SchedulerEngineFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("frugal-scheduler-").FullName;
    private LlamaEngine? _engine;

    public LlamaEngine Engine => _engine ?? throw new InvalidOperationException("The fixture is not initialized.");

    public async Task InitializeAsync()
    {
        var path = Path.Combine(_directory, "tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        _engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = path, ContextSize = 512 });
    }

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SchedulerEngineCollection : ICollectionFixture<SchedulerEngineFixture>
{
    public const string Name = "scheduler engine";
}
