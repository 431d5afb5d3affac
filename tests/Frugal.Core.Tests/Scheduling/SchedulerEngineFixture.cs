using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Scheduling;

/// <summary>The real engine on the synthesized tiny model (written to a temp dir), shared by the scheduler tests.</summary>
public sealed class SchedulerEngineFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("frugal-scheduler-").FullName;
    private LlamaEngine? _engine;
    private LlamaEngine? _parallelEngine;

    public LlamaEngine Engine => _engine ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>An engine on the same model that runs <see cref="Parallel"/> generations at once (continuous batching).</summary>
    public LlamaEngine ParallelEngine => _parallelEngine ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>Parallel sequences of <see cref="ParallelEngine"/>.</summary>
    public const int Parallel = 3;

    public async Task InitializeAsync()
    {
        var path = Path.Combine(_directory, "tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        _engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = path, ContextSize = 512 });
        _parallelEngine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = path, ContextSize = 512, ParallelSequences = Parallel });
    }

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        if (_parallelEngine is not null)
        {
            await _parallelEngine.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SchedulerEngineCollection : ICollectionFixture<SchedulerEngineFixture>
{
    public const string Name = "scheduler engine";
}
