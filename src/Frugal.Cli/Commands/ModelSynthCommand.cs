using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Frugal.Models;

namespace Frugal.Cli.Commands;

/// <summary>
/// <c>frugal model synth --shape tinyllama-1.1b|tiny [--quant q8_0|q6_k|q5_k_m|q4_k_m|q4_0|f16|f32] [--layers N] [--vocab-from FILE] -o OUT</c>:
/// a llama model with random weights of an exact shape, to measure what the real one costs.
/// </summary>
internal static class ModelSynthCommand
{
    public static Command Create()
    {
        var shape = new Option<string>("--shape")
        {
            Description = "The model shape: tinyllama-1.1b (TinyLlama-1.1B-Chat-v1.0) or tiny (a few MB, for tests).",
            Required = true,
        };
        shape.AcceptOnlyFromAmong([.. ModelShape.Known.Select(s => s.Name)]);
        var quant = new Option<string>("--quant")
        {
            Description = "File type: the weight types llama.cpp's quantizer writes for it (the _M mixes give some matrices Q6_K).",
            DefaultValueFactory = _ => "q8_0",
        };
        quant.AcceptOnlyFromAmong([.. ModelQuantization.Known.Select(q => q.Name)]);
        var vocab = new Option<string?>("--vocab-from") { Description = "Copy the tokenizer from this GGUF file (default: a small built-in vocabulary).", HelpName = "FILE" };
        var output = new Option<string>("--output", "-o") { Description = "The file to write.", Required = true, HelpName = "OUT" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random weights.", DefaultValueFactory = _ => 42 };
        var layers = LayersOption();

        var command = new Command("synth", "Write a llama-architecture GGUF model with random weights of an exact shape.")
        {
            shape, quant, vocab, output, seed, layers,
        };
        command.SetAction(parseResult =>
        {
            var path = parseResult.GetRequiredValue(output);
            var named = ModelShape.FromName(parseResult.GetRequiredValue(shape))!;
            var options = new SynthesisOptions
            {
                Shape = parseResult.GetValue(layers) is { } n ? named with { BlockCount = n } : named,
                Quant = ModelQuantization.FromName(parseResult.GetRequiredValue(quant))!,
                VocabularyFrom = parseResult.GetValue(vocab),
                Seed = parseResult.GetValue(seed),
            };
            var error = parseResult.InvocationConfiguration.Error;
            var watch = Stopwatch.StartNew();
            try
            {
                // A fresh clone has no models/ directory yet: make it, as the README's command expects.
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                ModelSynthesizer.Write(path, options);
            }
            catch (ModelFileException e)
            {
                error.WriteLine(ModelInspectCommand.OneLine($"frugal: --vocab-from: {e.Message}"));
                return ModelInspectCommand.BadModelFile;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine(ModelInspectCommand.OneLine($"frugal: cannot write {path}: {e.Message}"));
                return 1;
            }

            var size = new FileInfo(path).Length;
            parseResult.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {path}: {options.Shape.Name} ({options.Shape.BlockCount} blocks), {options.Quant}, {size:N0} bytes in {watch.Elapsed.TotalSeconds:0.0} s"));
            return 0;
        });
        return command;
    }

    private static Option<int?> LayersOption()
    {
        var layers = new Option<int?>("--layers")
        {
            Description = "Transformer blocks instead of the shape's own (a lighter model of the same width: per-token cost scales with it).",
            HelpName = "N",
        };
        layers.Validators.Add(r =>
        {
            if (r.GetValue(layers) is < 1 or > 512)
            {
                r.AddError("--layers must be between 1 and 512.");
            }
        });
        return layers;
    }
}
