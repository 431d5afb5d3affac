using System.CommandLine;
using System.Globalization;
using Frugal.Cli.Models;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal model list [--models DIR]</c>: the catalogue and the model files present, with their size and whether a pull verified them.</summary>
internal static class ModelListCommand
{
    public static Command Create()
    {
        var models = ModelPullCommand.ModelsOption();
        var data = UserCommand.DataOption();
        var command = new Command("list", "Show the catalogue and the models present in the models directory.") { models, data };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var directory = ModelCatalogue.ModelsDirectory(parse.GetValue(models), parse.GetValue(data)!);
            output.WriteLine($"Models directory: {directory}");
            foreach (var model in ModelCatalogue.All)
            {
                var path = Path.Combine(directory, model.FileName);
                var suffix = model == ModelCatalogue.Default ? " (default for serve)" : "";
                output.WriteLine($"{model.Name,-18} {model.Description}{suffix}");
                output.WriteLine($"{"",-18} {Describe(path, model.Size)}");
            }

            var others = Directory.Exists(directory)
                ? Directory.EnumerateFiles(directory, "*.gguf").Where(f => ModelCatalogue.All.All(m => m.FileName != Path.GetFileName(f))).Order(StringComparer.Ordinal).ToList()
                : [];
            foreach (var path in others)
            {
                output.WriteLine($"{"(other)",-18} {Describe(path, null)}");
            }

            return 0;
        });
        return command;
    }

    private static string Describe(string path, long? expectedSize)
    {
        if (!File.Exists(path))
        {
            return File.Exists(path + ".partial")
                ? string.Create(CultureInfo.InvariantCulture, $"{path}: partly downloaded ({new FileInfo(path + ".partial").Length:N0} bytes; pull again to resume)")
                : $"{path}: not present";
        }

        var size = new FileInfo(path).Length;
        var state = VerifiedMark.Read(path) is { } sha256
            ? $"verified at pull, sha256 {sha256}"
            : "not verified (not pulled by frugal, or changed since)";
        if (expectedSize is { } expected && expected != size)
        {
            state = string.Create(CultureInfo.InvariantCulture, $"WRONG SIZE (expected {expected:N0} bytes)");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{path}: {size:N0} bytes, {state}");
    }
}
