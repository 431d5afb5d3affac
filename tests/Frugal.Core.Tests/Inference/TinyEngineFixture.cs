using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Inference;

/// <summary>
/// Synthesized <c>tiny</c> models in a temp dir, written once for every test in <see cref="TinyEngineCollection"/>:
/// one with the built-in vocabulary (an engine on it is loaded once and shared), one with the Llama-2
/// SentencePiece vocabulary TinyLlama uses.
/// </summary>
public sealed class TinyEngineFixture : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("frugal-engine-tests-").FullName;
    private LlamaEngine? _engine;

    /// <summary>An engine on the tiny model (Zephyr template from the file), context 512.</summary>
    public LlamaEngine Engine => _engine ?? throw new InvalidOperationException("the fixture is not initialized");

    /// <summary>The tiny model with the built-in vocabulary.</summary>
    public string TinyModelPath => Path.Combine(_dir, "tiny.gguf");

    /// <summary>The tiny model with the Llama-2 SentencePiece vocabulary (BOS 1, EOS 2).</summary>
    public string SpmModelPath => Path.Combine(_dir, "tiny-spm.gguf");

    public async Task InitializeAsync()
    {
        ModelSynthesizer.WriteTiny(TinyModelPath);
        ModelSynthesizer.WriteTiny(SpmModelPath, SharedModels.LlamaSpmVocabulary);
        _engine = await LlamaEngine.LoadAsync(new EngineOptions { ModelPath = TinyModelPath, ContextSize = 512 });
    }

    public async Task DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Loads another engine on the SentencePiece-vocabulary model with the given chat format.</summary>
    public Task<LlamaEngine> LoadSpmAsync(ChatTemplateFamily? family = null, int contextSize = 256) =>
        LlamaEngine.LoadAsync(new EngineOptions { ModelPath = SpmModelPath, ContextSize = contextSize, ChatTemplate = family });
}

[CollectionDefinition(Name)]
public sealed class TinyEngineCollection : ICollectionFixture<TinyEngineFixture>
{
    public const string Name = "tiny engine";
}
