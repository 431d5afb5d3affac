using System.CommandLine;
using System.Globalization;
using Frugal.Cli.Models;

namespace Frugal.Cli.Commands;

/// <summary>
/// <c>frugal model pull [NAME|URL] [--sha256 HEX] [-o FILE | --models DIR]</c>: downloads a catalogue model or any
/// URL, verified (SHA-256 and our GGUF reader) before it is renamed into place.
/// </summary>
internal static class ModelPullCommand
{
    public static Command Create()
    {
        var what = new Argument<string>("NAME|URL")
        {
            Description = $"A catalogue name ({string.Join(", ", ModelCatalogue.All.Select(m => m.Name))}) or an http(s) URL.",
            DefaultValueFactory = _ => ModelCatalogue.Default.Name,
        };
        var sha256 = new Option<string?>("--sha256") { Description = "The file's expected SHA-256 (required for a URL).", HelpName = "HEX" };
        var output = new Option<string?>("--output", "-o") { Description = "The file to write (default: the models directory).", HelpName = "FILE" };
        var models = ModelsOption();
        var data = UserCommand.DataOption();
        var command = new Command("pull", $"Download a model, resumably, and verify it before it is put in place (mirror: {ModelCatalogue.MirrorVariable}=BASE_URL).")
        {
            what, sha256, output, models, data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var console = parse.InvocationConfiguration.Output;
            if (parse.GetValue(output) is not null && parse.GetValue(models) is not null)
            {
                await error.WriteLineAsync("frugal: give either -o FILE or --models DIR, not both.").ConfigureAwait(false);
                return 2;
            }

            try
            {
                var request = Resolve(parse.GetValue(what)!, parse.GetValue(sha256), parse.GetValue(output),
                    ModelCatalogue.ModelsDirectory(parse.GetValue(models), parse.GetValue(data)!));
                if (request.Sha256 is null && VerifiedMark.Read(request.Destination) is { } known)
                {
                    await console.WriteLineAsync($"{request.Destination} is already here, verified at pull (sha256 {known}).").ConfigureAwait(false);
                    return 0;
                }

                var result = await PullAsync(request, console, cancellationToken).ConfigureAwait(false);
                await console.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"pulled {result.Path}: {result.Size:N0} bytes, sha256 {result.Sha256} (matches {result.HashSource}), a valid GGUF model.")).ConfigureAwait(false);
                return 0;
            }
            catch (PullException e)
            {
                await error.WriteLineAsync($"frugal: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"frugal: cannot write the model: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    /// <summary>The <c>--models DIR</c> option shared with <c>list</c> and <c>serve</c>.</summary>
    public static Option<string?> ModelsOption() => new("--models")
    {
        Description = "The models directory (default: DATA/models).",
        HelpName = "DIR",
    };

    /// <summary>Pulls with the progress shown on the terminal (plain lines when redirected).</summary>
    public static Task<PullResult> PullAsync(PullRequest request, TextWriter console, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var interactive = ReferenceEquals(console, Console.Out) && !Console.IsOutputRedirected;
        return PullProgressView.RunAsync(Path.GetFileName(request.Destination), async progress =>
        {
            using var http = ModelDownloader.CreateHttpClient();
            return await new ModelDownloader(http).PullAsync(request, progress, cancellationToken).ConfigureAwait(false);
        }, console, interactive);
    }

    /// <summary>The request for a catalogue model in <paramref name="modelsDirectory"/> (serve <c>--pull</c>).</summary>
    public static PullRequest ForCatalogue(CatalogueModel model, string modelsDirectory) => new(
        ModelCatalogue.SourceOf(model, Environment.GetEnvironmentVariable(ModelCatalogue.MirrorVariable)),
        Path.Combine(modelsDirectory, model.FileName), model.Sha256, model.Size);

    private static PullRequest Resolve(string what, string? sha256, string? output, string modelsDirectory)
    {
        if (sha256 is not null && ContentDigest.Hex(sha256) is null)
        {
            throw new PullException($"--sha256 '{sha256}' is not 64 hex digits.");
        }

        if (ModelCatalogue.Find(what) is { } model)
        {
            var request = ForCatalogue(model, modelsDirectory);
            return request with { Destination = output ?? request.Destination, Sha256 = sha256 ?? model.Sha256 };
        }

        if (!Uri.TryCreate(what, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new PullException($"'{what}' is neither a catalogue model ({string.Join(", ", ModelCatalogue.All.Select(m => m.Name))}) nor an http(s) URL.");
        }

        if (sha256 is null)
        {
            throw new PullException($"a URL needs the file's expected SHA-256: frugal model pull {what} --sha256 HEX");
        }

        var name = Path.GetFileName(Uri.UnescapeDataString(url.AbsolutePath));
        if (output is null && string.IsNullOrWhiteSpace(name))
        {
            throw new PullException($"{url} names no file; give one with -o FILE.");
        }

        return new PullRequest(url, output ?? Path.Combine(modelsDirectory, name), sha256, null);
    }
}
