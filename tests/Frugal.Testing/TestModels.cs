using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Testing;

/// <summary>
/// The model files tests run on, each written once per test process into a temporary directory
/// (deleted when the process exits) by our own GGUF writer: nothing is read from outside the repository
/// (the optional extra files beside it are <see cref="SharedModels"/>).
/// </summary>
public static class TestModels
{
    /// <summary>Name of the test case that runs on <see cref="TinyRandom"/>.</summary>
    public const string TinyRandomName = "tiny-random";

    /// <summary>Name of the test case that runs on <see cref="Vocabulary"/>.</summary>
    public const string VocabularyName = "built-in";

    /// <summary>Tokens in <see cref="Vocabulary"/>: Llama-2's count.</summary>
    public const int VocabularySize = 32000;

    /// <summary>The shape of <see cref="TinyRandom"/>.</summary>
    public static ModelShape TinyRandomShape { get; } = new()
    {
        Name = "tiny-random",
        EmbeddingLength = 8,
        BlockCount = 1,
        FeedForwardLength = 32,
        HeadCount = 2,
        HeadCountKv = 2,
        ContextLength = 4096,
    };

    private static readonly Lazy<string> Directory = new(CreateDirectory);
    private static readonly Lazy<string> TinyModel = new(() => Write("tiny.gguf", path => ModelSynthesizer.WriteTiny(path)));
    private static readonly Lazy<string> TinyUnendingModel = new(() => Write("tiny-unending.gguf", path => UnendingModel.Write(Tiny, path)));
    private static readonly Lazy<string> VocabularyModel = new(() => Write("vocab-32000.gguf", WriteVocabulary));
    private static readonly Lazy<string> TinySpmModel = new(() => Write("tiny-spm.gguf", path => ModelSynthesizer.WriteTiny(path, Vocabulary)));
    private static readonly Lazy<string> TinySharedSpmModel = new(() => Write("tiny-llama-spm.gguf",
        path => ModelSynthesizer.WriteTiny(path, VocabularyFile(SharedModels.LlamaVocabularyName))));
    private static readonly Lazy<string> TinyRandomModel = new(() => Write("tiny-random.gguf", path => ModelSynthesizer.Write(path, new SynthesisOptions
    {
        Shape = TinyRandomShape,
        Quant = ModelQuantization.F16,
        VocabularyFrom = Vocabulary,
        ChatTemplate = null,
    })));

    /// <summary>The synthesized <c>tiny</c> model with the built-in vocabulary and the Zephyr template (model id "tiny").</summary>
    public static string Tiny => TinyModel.Value;

    /// <summary>
    /// <see cref="Tiny"/> with an output layer that never ends a reply by itself (<see cref="UnendingModel"/>): a reply
    /// stops only at its token limit or when its caller goes away, on any machine.
    /// </summary>
    public static string TinyUnending => TinyUnendingModel.Value;

    /// <summary>
    /// A vocabulary-only GGUF (no tensors) of the built-in SentencePiece vocabulary at Llama-2's size,
    /// 32,000 tokens (BOS 1, EOS 2, byte fallback), as llama.cpp's vocabulary files are.
    /// </summary>
    public static string Vocabulary => VocabularyModel.Value;

    /// <summary>The <c>tiny</c> shape with <see cref="Vocabulary"/>'s tokenizer (32,000 tokens, BOS 1, EOS 2) and the Zephyr template.</summary>
    public static string TinyLlamaVocabulary => TinySpmModel.Value;

    /// <summary>Vocabularies of 32,000 SentencePiece tokens: our own, and Llama-2's when the shared files are there.</summary>
    public static TheoryData<string> Vocabularies => SharedModels.With([VocabularyName], SharedModels.LlamaVocabularyName);

    /// <summary>The <c>tiny</c> shape with the tokenizer of a vocabulary of <see cref="Vocabularies"/> and the Zephyr template.</summary>
    public static string TinyWithVocabulary(string vocabulary) => vocabulary == VocabularyName
        ? TinyLlamaVocabulary
        : TinySharedSpmModel.Value;

    /// <summary>
    /// Our own model of <see cref="SharedModels.TinyRandomLlama2"/>'s shape: 1 layer, embedding 8, 2 heads,
    /// feed-forward 32, context 4,096, F16 weights, <see cref="Vocabulary"/>'s 32,000 tokens, no chat template.
    /// </summary>
    public static string TinyRandom => TinyRandomModel.Value;

    /// <summary>Llama-architecture random models without a chat template: our own, and the shared one when it is there.</summary>
    public static TheoryData<string> RandomLlamas => SharedModels.With([TinyRandomName], SharedModels.TinyRandomLlama2Name);

    /// <summary>The tiny model, then <see cref="RandomLlamas"/>: the rows of the engine tests that run on more than one model.</summary>
    public static TheoryData<string> EngineModels => SharedModels.With(["tiny", TinyRandomName], SharedModels.TinyRandomLlama2Name);

    /// <summary>The path of a random Llama model of <see cref="RandomLlamas"/> by its name.</summary>
    public static string RandomLlama(string name) => name switch
    {
        TinyRandomName => TinyRandom,
        SharedModels.TinyRandomLlama2Name => SharedModels.TinyRandomLlama2,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a random Llama test model"),
    };

    /// <summary>
    /// Engine options for a model of <see cref="EngineModels"/> by its name; the random Llamas carry no chat template, so
    /// they are given Llama 2's.
    /// </summary>
    public static EngineOptions EngineOptionsFor(string name, int contextSize) => name == "tiny"
        ? new EngineOptions { ModelPath = Tiny, ContextSize = contextSize }
        : new EngineOptions { ModelPath = RandomLlama(name), ContextSize = contextSize, ChatTemplate = ChatTemplateFamily.Llama2 };

    /// <summary>The path of a vocabulary-only file by its name: <see cref="VocabularyName"/> or <see cref="SharedModels.LlamaVocabularyName"/>.</summary>
    public static string VocabularyFile(string name) => name switch
    {
        VocabularyName => Vocabulary,
        SharedModels.LlamaVocabularyName => SharedModels.LlamaVocabulary,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a test vocabulary"),
    };

    /// <summary>The repository root: the folder holding <c>Frugal.slnx</c> above the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Writes a model file once per process under the run's temporary directory (for fixtures with a shape of their own).</summary>
    public static string Write(string fileName, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var path = Path.Combine(Directory.Value, fileName);
        write(path);
        return path;
    }

    /// <summary>The tokenizer of a tiny model with the built-in vocabulary at 32,000 tokens, without its tensors.</summary>
    private static void WriteVocabulary(string path)
    {
        var model = path + ".model";
        ModelSynthesizer.Write(model, new SynthesisOptions { Shape = ModelShape.Tiny with { VocabSize = VocabularySize }, ChatTemplate = null });
        var writer = new GgufWriter();
        foreach (var (key, value) in GgufReader.Read(model).MetadataEntries)
        {
            if (key == "general.architecture" || key.StartsWith("tokenizer.", StringComparison.Ordinal))
            {
                writer.Set(key, value);
            }
        }

        writer.WriteTo(path);
        File.Delete(model);
    }
    private static string CreateDirectory()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("frugal-test-models-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the system's temp cleaner.
            }
        };
        return directory;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Frugal.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Frugal.slnx above {AppContext.BaseDirectory}.");
    }
}
