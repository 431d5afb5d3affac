namespace Frugal.Models;

/// <summary>
/// Checks every special token id a model names (<c>tokenizer.ggml.*_token_id</c>: BOS, EOS, end of turn, unknown,
/// padding, fill-in-the-middle, ...) is a token of its vocabulary. llama.cpp would only warn and use a default id
/// instead, so a model would start or stop its replies on a token its makers did not mean.
/// </summary>
internal static class SpecialTokenIds
{
    private const string Prefix = "tokenizer.ggml.";
    private const string Suffix = "_token_id";

    public static void Validate(GgufFile file, int vocabulary)
    {
        foreach (var (key, value) in file.MetadataEntries)
        {
            if (key.StartsWith(Prefix, StringComparison.Ordinal) && key.EndsWith(Suffix, StringComparison.Ordinal)
                && (value.AsInt64() is not { } id || id < 0 || id >= vocabulary))
            {
                throw new ModelFileException(file.Path, $"metadata '{key}' = {value} is not a token id of the {vocabulary}-token vocabulary");
            }
        }
    }
}
