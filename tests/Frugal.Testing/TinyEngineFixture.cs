using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Testing;

/// <summary>
/// The real engine on the synthesized <c>tiny</c> model (context 512), loaded once for the tests that
/// share the fixture, beside one on the same model that runs <see cref="Parallel"/> sequences at once
/// (continuous batching), and the <c>tiny</c> shape with a 32,000-token vocabulary for tokenizer tests.
/// </summary>
public sealed class TinyEngineFixture : IAsyncLifetime
{
    /// <summary>Parallel sequences of <see cref="ParallelEngine"/>.</summary>
    public const int Parallel = 3;

    private LlamaEngine? _engine;
    private LlamaEngine? _parallelEngine;

    /// <summary>An engine on the tiny model (Zephyr template from the file), context 512.</summary>
    public LlamaEngine Engine => _engine ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>An engine on the same model that runs <see cref="Parallel"/> generations at once.</summary>
    public LlamaEngine ParallelEngine => _parallelEngine ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>The tiny model with the built-in vocabulary.</summary>
    public string TinyModelPath => TestModels.Tiny;

    public async ValueTask InitializeAsync()
    {
        _engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = TinyModelPath, ContextSize = 512 });

        // All slots stream however slow the box is: with the default floor, a step slower than 1/6 s (a loaded
        // machine) would lower the engine's stream limit and make the scheduler queue what the tests expect to run.
        _parallelEngine = await LlamaEngine.LoadAsync(new EngineOptions
        {
            ModelPath = TinyModelPath,
            ContextSize = 512,
            ParallelSequences = Parallel,
            StreamFloorTokensPerSecond = 0.01,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        if (_parallelEngine is not null)
        {
            await _parallelEngine.DisposeAsync();
        }
    }

    /// <summary>
    /// Loads another engine on the tiny model with a 32,000-token SentencePiece vocabulary (BOS 1, EOS 2) of
    /// <see cref="TestModels.Vocabularies"/> (our own by default) and the given chat format.
    /// </summary>
    public Task<LlamaEngine> LoadSpmAsync(ChatTemplateFamily? family = null, string vocabulary = TestModels.VocabularyName, int contextSize = 256) =>
        LlamaEngine.LoadAsync(new EngineOptions { ModelPath = TestModels.TinyWithVocabulary(vocabulary), ContextSize = contextSize, ChatTemplate = family });
}
