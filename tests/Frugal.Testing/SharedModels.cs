namespace Frugal.Testing;

/// <summary>
/// The fixture files that may sit beside the repository in <c>../shared/models</c> (files from public
/// repositories that may not be copied into this one). Tests run on <see cref="TestModels"/>' own files
/// always, and on these as well when they are there: never only on these.
/// </summary>
public static class SharedModels
{
    /// <summary>Name of the test case that runs on <see cref="TinyRandomLlama2"/>.</summary>
    public const string TinyRandomLlama2Name = "llama-2-tiny-random";

    /// <summary>Name of the test case that runs on <see cref="LlamaVocabulary"/>.</summary>
    public const string LlamaVocabularyName = "llama-spm";

    /// <summary><c>../shared/models</c> beside the repository root.</summary>
    public static string Directory => Path.GetFullPath(Path.Combine(TestModels.RepositoryRoot, "..", "shared", "models"));

    /// <summary>A vocabulary-only GGUF of the Llama-2 SentencePiece tokenizer, with llama.cpp's test vectors beside it (<c>.inp</c>, <c>.out</c>).</summary>
    public static string LlamaVocabulary => Path.Combine(Directory, "ggml-vocab-llama-spm.gguf");

    /// <summary>A 1-layer Llama-2 model with random weights (F16, embedding 8) and the full Llama-2 vocabulary, no chat template.</summary>
    public static string TinyRandomLlama2 => Path.Combine(Directory, "llama-2-tiny-random.gguf");

    /// <summary>Whether the shared files are there.</summary>
    public static bool Present { get; } =
        File.Exists(TinyRandomLlama2) && File.Exists(LlamaVocabulary) && File.Exists(LlamaVocabulary + ".inp") && File.Exists(LlamaVocabulary + ".out");

    /// <summary><paramref name="own"/>, plus <paramref name="shared"/> when the shared files are there: the rows of a theory.</summary>
    public static TheoryData<string> With(IEnumerable<string> own, params string[] shared)
    {
        var data = new TheoryData<string>();
        foreach (var name in Present ? own.Concat(shared) : own)
        {
            data.Add(name);
        }

        return data;
    }
}
