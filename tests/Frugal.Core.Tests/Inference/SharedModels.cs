namespace Frugal.Tests.Inference;

/// <summary>Finds the read-only fixture models in <c>../shared/models</c> next to the repository.</summary>
internal static class SharedModels
{
    public static string Directory { get; } = Locate();

    public static string TinyRandomLlama2 => Path.Combine(Directory, "llama-2-tiny-random.gguf");

    public static string LlamaSpmVocabulary => Path.Combine(Directory, "ggml-vocab-llama-spm.gguf");

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Frugal.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "models"));
            }
        }

        throw new InvalidOperationException($"no Frugal.slnx above {AppContext.BaseDirectory}");
    }
}
