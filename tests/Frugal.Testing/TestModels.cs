using Frugal.Models;

namespace Frugal.Testing;

/// <summary>
/// The model files tests run on, each written once per test process into a temporary directory
/// (deleted when the process exits) by our own GGUF writer, and the shared fixture files beside the repository.
/// </summary>
public static class TestModels
{
    private static readonly Lazy<string> Directory = new(CreateDirectory);
    private static readonly Lazy<string> TinyModel = new(() => Write("tiny.gguf", path => ModelSynthesizer.WriteTiny(path)));
    private static readonly Lazy<string> TinyLlamaModel = new(() => Write("tiny-spm.gguf", path => ModelSynthesizer.WriteTiny(path, LlamaVocabulary)));

    /// <summary>The synthesized <c>tiny</c> model with the built-in vocabulary and the Zephyr template (model id "tiny").</summary>
    public static string Tiny => TinyModel.Value;

    /// <summary>The <c>tiny</c> shape with the Llama-2 SentencePiece vocabulary (32,000 tokens, BOS 1, EOS 2).</summary>
    public static string TinyLlamaVocabulary => TinyLlamaModel.Value;

    /// <summary>The repository root: the folder holding <c>Frugal.slnx</c> above the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The shared fixtures: <c>../shared/models</c> beside the repository root.</summary>
    public static string SharedDirectory => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "models"));

    /// <summary>A vocabulary-only GGUF of the Llama-2 SentencePiece tokenizer (the one TinyLlama uses).</summary>
    public static string LlamaVocabulary => Path.Combine(SharedDirectory, "ggml-vocab-llama-spm.gguf");

    /// <summary>A 1-layer Llama-2 model with random weights and the full Llama-2 vocabulary, no chat template.</summary>
    public static string TinyRandomLlama2 => Path.Combine(SharedDirectory, "llama-2-tiny-random.gguf");

    /// <summary>Writes a model file once per process under the run's temporary directory (for fixtures with a shape of their own).</summary>
    public static string Write(string fileName, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var path = Path.Combine(Directory.Value, fileName);
        write(path);
        return path;
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
