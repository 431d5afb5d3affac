namespace Frugal.Cli.Models;

/// <summary>
/// Which file <c>frugal serve</c> runs: <c>--model FILE</c>, or the catalogue's default model in the models
/// directory, pulled first with <c>--pull</c> or named with the exact command that fetches it.
/// </summary>
internal static class ServeModel
{
    /// <summary>The model file to serve, or a PullException whose message says how to get it.</summary>
    public static async Task<string> ResolveAsync(string? model, string? models, string dataDirectory, bool pull, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(model))
        {
            return model;
        }

        var directory = ModelCatalogue.ModelsDirectory(models, dataDirectory);
        var entry = ModelCatalogue.Default;
        var path = Path.Combine(directory, entry.FileName);
        if (File.Exists(path))
        {
            return path;
        }

        if (!pull)
        {
            throw new PullException(
                $"no --model given and the default model ({entry.Name}) is not in {directory}. Fetch it with:{Environment.NewLine}" +
                $"    {ModelCatalogue.PullCommand(entry, directory)}{Environment.NewLine}" +
                "or start with --pull to fetch it now, or give --model FILE.");
        }

        await Console.Out.WriteLineAsync($"The default model ({entry.Name}) is not in {directory}: pulling it (--pull).").ConfigureAwait(false);
        var result = await Commands.ModelPullCommand.PullAsync(Commands.ModelPullCommand.ForCatalogue(entry, directory), Console.Out, cancellationToken).ConfigureAwait(false);
        return result.Path;
    }
}
