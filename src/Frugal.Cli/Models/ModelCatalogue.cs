namespace Frugal.Cli.Models;

/// <summary>
/// The models <c>frugal model pull</c> fetches by name, and where they are looked for. The first is the
/// default that <c>frugal serve</c> runs when no <c>--model</c> is given.
/// </summary>
internal static class ModelCatalogue
{
    /// <summary>Environment variable with a base URL that replaces the publisher's (the file name is appended).</summary>
    public const string MirrorVariable = "FRUGAL_MODEL_MIRROR";

    private const string Hub = "https://huggingface.co/TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF/resolve/main/";

    // The Q8_0 size is the README's; no SHA-256 of either file could be checked from this workplace (no route
    // to the hub), so both are verified against the hub's content digest header (X-Linked-Etag) when pulled.
    public static IReadOnlyList<CatalogueModel> All { get; } =
    [
        new("tinyllama", "tinyllama-1.1b-chat-v1.0.Q8_0.gguf", new Uri(Hub + "tinyllama-1.1b-chat-v1.0.Q8_0.gguf"),
            1_169_807_648, null, "TinyLlama-1.1B-Chat-v1.0, Q8_0 (the target model, 1.17 GB)"),
        new("tinyllama:q4_k_m", "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf", new Uri(Hub + "tinyllama-1.1b-chat-v1.0.Q4_K_M.gguf"),
            null, null, "TinyLlama-1.1B-Chat-v1.0, Q4_K_M (smaller, a little less accurate)"),
    ];

    /// <summary>The model <c>serve</c> runs without <c>--model</c>.</summary>
    public static CatalogueModel Default => All[0];

    /// <summary>The entry named <paramref name="name"/> (case-insensitive; <c>tinyllama:q8_0</c> is <c>tinyllama</c>), or null.</summary>
    public static CatalogueModel? Find(string name)
    {
        var wanted = name.Trim().ToLowerInvariant() is "tinyllama:q8_0" ? "tinyllama" : name.Trim();
        return All.FirstOrDefault(m => string.Equals(m.Name, wanted, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Where to fetch <paramref name="model"/>: the publisher's URL, or <c>MIRROR/FILE</c> when a mirror is given.</summary>
    public static Uri SourceOf(CatalogueModel model, string? mirror)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (string.IsNullOrWhiteSpace(mirror))
        {
            return model.Url;
        }

        if (!Uri.TryCreate(mirror.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            throw new PullException($"{MirrorVariable}='{mirror}' is not an http:// or https:// base URL.");
        }

        return new Uri(baseUri, Uri.EscapeDataString(model.FileName));
    }

    /// <summary>The models directory: <c>--models DIR</c>, else <c>DATA/models</c>.</summary>
    public static string ModelsDirectory(string? models, string dataDirectory) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(models) ? Path.Combine(dataDirectory, "models") : models);

    /// <summary>The exact command that fetches <paramref name="model"/> into <paramref name="modelsDirectory"/>.</summary>
    public static string PullCommand(CatalogueModel model, string modelsDirectory) =>
        $"frugal model pull {model.Name} --models {modelsDirectory}";
}
