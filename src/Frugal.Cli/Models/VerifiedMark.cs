namespace Frugal.Cli.Models;

/// <summary>
/// <c>MODEL.sha256</c> beside a pulled model, in <c>sha256sum</c>'s format: written only after the hash and the
/// GGUF check passed, so <c>model list</c> can tell a verified file from one put there by hand.
/// </summary>
internal static class VerifiedMark
{
    public static string PathOf(string model) => model + ".sha256";

    public static async Task WriteAsync(string model, string sha256, CancellationToken cancellationToken)
    {
        var mark = PathOf(model);
        var temporary = mark + ".tmp";
        await File.WriteAllTextAsync(temporary, $"{sha256}  {Path.GetFileName(model)}\n", cancellationToken).ConfigureAwait(false);
        File.Move(temporary, mark, overwrite: true);
    }

    /// <summary>The recorded SHA-256 when the mark exists and is not older than the model file; else null.</summary>
    public static string? Read(string model)
    {
        var mark = PathOf(model);
        if (!File.Exists(mark) || !File.Exists(model) || File.GetLastWriteTimeUtc(mark) < File.GetLastWriteTimeUtc(model))
        {
            return null;
        }

        var text = File.ReadAllText(mark);
        return ContentDigest.Hex(text.Split(' ', 2)[0].Trim());
    }
}
