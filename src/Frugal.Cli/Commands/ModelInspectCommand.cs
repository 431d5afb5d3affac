using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Frugal.Memory;
using Frugal.Models;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal model inspect FILE [--ctx N] [--json]</c>: what a GGUF file holds and what running it costs.</summary>
internal static class ModelInspectCommand
{
    /// <summary>Exit code for a missing, unreadable or malformed model file.</summary>
    public const int BadModelFile = 2;

    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The GGUF model file." };
        var ctx = new Option<int?>("--ctx") { Description = "Context size for the memory estimate (default: the model's context length).", HelpName = "N" };
        ctx.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } n && n is <= 0 or > 1 << 24)
            {
                result.AddError($"--ctx must be between 1 and {1 << 24} tokens, not {n}.");
            }
        });
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the report." };
        var repack = InferenceOptions.RepackOption();
        var nativeLibrary = InferenceOptions.NativeLibraryOption(
            "whose kernels decide, with --repack auto, whether a 4-bit file loads repacked; default auto, as frugal serve");

        var command = new Command("inspect", "Validate a GGUF model file and show its shape, quantization, tokenizer, chat template and memory estimate.")
        {
            file, ctx, json, repack, nativeLibrary,
        };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            GgufFile gguf;
            ModelInfo model;
            try
            {
                gguf = GgufReader.Read(parseResult.GetRequiredValue(file));
                model = ModelInfoReader.FromFile(gguf);
            }
            catch (ModelFileException e)
            {
                parseResult.InvocationConfiguration.Error.WriteLine(OneLine($"frugal: {e.Message}"));
                return BadModelFile;
            }

            var weights = PlannedRepacking.Of(gguf, model.FileType, InferenceOptions.RepackChoice(parseResult.GetValue(repack)),
                () => InferenceOptions.NativeLibraryChoice(parseResult.GetValue(nativeLibrary)));
            model = model with { RepackedTensorBytes = weights.Bytes };
            var contextSize = parseResult.GetValue(ctx) ?? model.ContextLength;
            var estimate = MemoryEstimator.Estimate(model, contextSize);
            if (parseResult.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(Report(model, estimate, weights), ModelJsonContext.Default.ModelInspectReport));
            }
            else
            {
                WriteHuman(output, model, estimate, weights);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Error text on one line, whatever a path or message contains.</summary>
    public static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static ModelInspectReport Report(ModelInfo m, MemoryEstimate e, PlannedRepacking weights) => new()
    {
        Path = m.Path,
        Architecture = m.Architecture,
        Name = m.Name,
        ParameterCount = m.ParameterCount,
        FileType = m.FileType,
        TensorTypes = m.TensorTypeHistogram,
        TensorDataBytes = m.TensorDataBytes,
        FileSizeBytes = m.FileSizeBytes,
        ContextLength = m.ContextLength,
        EmbeddingLength = m.EmbeddingLength,
        BlockCount = m.BlockCount,
        HeadCount = m.HeadCount,
        HeadCountKv = m.HeadCountKv,
        FeedForwardLength = m.FeedForwardLength,
        VocabSize = m.VocabSize,
        TokenizerModel = m.TokenizerModel,
        BosTokenId = m.BosTokenId,
        EosTokenId = m.EosTokenId,
        ChatTemplatePresent = m.ChatTemplate is not null,
        ChatTemplateFamily = m.ChatTemplateFamily.ToString().ToLowerInvariant(),
        EstimateContextSize = e.ContextSize,
        EstimatedMemoryBytes = e.TotalBytes,
        EstimatedWeightsBytes = e.WeightsBytes,
        EstimatedWeightsRepackedBytes = e.RepackedWeightsBytes,
        EstimatedWeightsMappedBytes = e.MappedWeightsBytes,
        EstimatedLoadPeakBytes = e.LoadPeakBytes,
        Repack = weights.Setting,
        RepackNote = weights.Note,
        EstimatedKvCacheBytes = e.KvCacheBytes,
        EstimatedComputeBytes = e.ComputeBytes,
        EstimatedRuntimeBytes = e.RuntimeBytes,
    };

    private static void WriteHuman(TextWriter o, ModelInfo m, MemoryEstimate e, PlannedRepacking weights)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(c, $"file               {m.Path}"));
        o.WriteLine(string.Create(c, $"file size          {Size(m.FileSizeBytes)}"));
        o.WriteLine(string.Create(c, $"architecture       {m.Architecture}"));
        o.WriteLine(string.Create(c, $"name               {m.Name ?? "(none)"}"));
        o.WriteLine(string.Create(c, $"parameters         {m.ParameterCount:N0} ({m.ParameterCount / 1e9:0.00} B)"));
        o.WriteLine(string.Create(c, $"quantization       {m.FileType}; tensors: {string.Join(", ", m.TensorTypeHistogram.Select(p => $"{p.Key} x{p.Value}"))}"));
        o.WriteLine(string.Create(c, $"context length     {m.ContextLength:N0}"));
        o.WriteLine(string.Create(c, $"embedding length   {m.EmbeddingLength:N0}"));
        o.WriteLine(string.Create(c, $"blocks             {m.BlockCount}"));
        o.WriteLine(string.Create(c, $"heads              {m.HeadCount} (key/value heads: {m.HeadCountKv})"));
        o.WriteLine(string.Create(c, $"feed-forward       {m.FeedForwardLength:N0}"));
        o.WriteLine(string.Create(c, $"vocabulary         {m.VocabSize:N0} ({m.TokenizerModel ?? "no tokenizer model"})"));
        o.WriteLine(string.Create(c, $"BOS / EOS          {m.BosTokenId?.ToString(c) ?? "-"} / {m.EosTokenId?.ToString(c) ?? "-"}"));
        o.WriteLine(string.Create(c, $"chat template      {(m.ChatTemplate is null ? "none" : "present")}, family {m.ChatTemplateFamily.ToString().ToLowerInvariant()}"));
        o.WriteLine(string.Create(c, $"memory at ctx {e.ContextSize,-5} {Size(e.TotalBytes)}"));
        if (e.RepackedWeightsBytes > 0)
        {
            o.WriteLine(string.Create(c, $"  weights          {Size(e.WeightsBytes)}, repack {weights.Setting}:"));
            o.WriteLine(string.Create(c, $"    repacked       {Size(e.RepackedWeightsBytes)}, copied into anonymous memory at load"));
            o.WriteLine(string.Create(c, $"    mapped         {Size(e.MappedWeightsBytes)}, read from the mapped file"));
        }
        else
        {
            o.WriteLine(string.Create(c, $"  weights (mapped) {Size(e.WeightsBytes)}; nothing repacked ({weights.Note})"));
        }

        o.WriteLine(string.Create(c, $"  KV cache         {Size(e.KvCacheBytes)}"));
        o.WriteLine(string.Create(c, $"  compute buffers  {Size(e.ComputeBytes)}"));
        o.WriteLine(string.Create(c, $"  runtime          {Size(e.RuntimeBytes)}"));
        if (e.RepackedWeightsBytes > 0)
        {
            o.WriteLine(string.Create(c, $"at the peak of load {Size(e.LoadPeakBytes)}: the above, and the file's pages the repacked weights are read from, cached until the load gives them back"));
            if (weights.Note is { } note)
            {
                o.WriteLine(string.Create(c, $"  ({note})"));
            }
        }
    }

    private static string Size(long bytes) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes ({bytes / 1048576.0:0.0} MiB)");
}
