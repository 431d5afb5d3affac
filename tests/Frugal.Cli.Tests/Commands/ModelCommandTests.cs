using System.Text.Json;
using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Commands;

public sealed class ModelCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Inspect_SynthesizedTinyAsJson_ReportsShapeAndEstimate()
    {
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);

        var (code, output, error) = CliRunner.InProcess("model", "inspect", path, "--json", "--ctx", "1024");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("llama", root.GetProperty("architecture").GetString());
        Assert.Equal("Q8_0", root.GetProperty("file_type").GetString());
        Assert.Equal(new FileInfo(path).Length, root.GetProperty("file_size_bytes").GetInt64());
        Assert.Equal(2048, root.GetProperty("context_length").GetInt32());
        Assert.Equal(64, root.GetProperty("embedding_length").GetInt32());
        Assert.Equal(2, root.GetProperty("block_count").GetInt32());
        Assert.Equal(4, root.GetProperty("head_count").GetInt32());
        Assert.Equal(2, root.GetProperty("head_count_kv").GetInt32());
        Assert.Equal(192, root.GetProperty("feed_forward_length").GetInt32());
        Assert.Equal("zephyr", root.GetProperty("chat_template_family").GetString());
        Assert.Equal(1024, root.GetProperty("estimate_context_size").GetInt32());
        Assert.True(root.GetProperty("parameter_count").GetInt64() > 0);
        Assert.True(root.GetProperty("vocab_size").GetInt32() > 256);
        var parts = new[] { "estimated_weights_bytes", "estimated_kv_cache_bytes", "estimated_compute_bytes", "estimated_runtime_bytes" }
            .Sum(k => root.GetProperty(k).GetInt64());
        Assert.Equal(parts, root.GetProperty("estimated_memory_bytes").GetInt64());
    }

    [Fact]
    public void Inspect_HumanReport_ShowsEveryPart()
    {
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);

        var (code, output, _) = CliRunner.InProcess("model", "inspect", path);

        Assert.Equal(0, code);
        foreach (var label in new[] { "architecture", "parameters", "quantization", "Q8_0", "blocks", "key/value heads", "feed-forward", "vocabulary", "BOS / EOS",
            "family zephyr", "memory at ctx 2048", "KV cache", "compute buffers", "runtime" })
        {
            Assert.Contains(label, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Inspect_Q4KMFileRepackOnAndOff_ShowsTheRepackedAndMappedSplit()
    {
        var path = _temp.File("q4km.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = WideShape, Quant = ModelQuantization.Q4_K_M });
        var file = GgufReader.Read(path);
        var repacked = RepackedWeights.Bytes(file, RepackedWeights.LlamaCppTypes);
        var mapped = file.TensorDataBytes - repacked;

        var on = InspectJson(path, "--repack", "on");
        var off = InspectJson(path, "--repack", "off");
        var (code, human, _) = CliRunner.InProcess("model", "inspect", path, "--repack", "on");
        var (_, humanOff, _) = CliRunner.InProcess("model", "inspect", path, "--repack", "off");

        Assert.True(repacked > 1 << 20);
        Assert.Equal((repacked, mapped, "on"), (on.GetProperty("estimated_weights_repacked_bytes").GetInt64(), on.GetProperty("estimated_weights_mapped_bytes").GetInt64(), on.GetProperty("repack").GetString()));
        Assert.Equal(on.GetProperty("estimated_memory_bytes").GetInt64() + repacked, on.GetProperty("estimated_load_peak_bytes").GetInt64());
        Assert.Equal((0L, file.TensorDataBytes), (off.GetProperty("estimated_weights_repacked_bytes").GetInt64(), off.GetProperty("estimated_weights_mapped_bytes").GetInt64()));
        Assert.Equal(off.GetProperty("estimated_memory_bytes").GetInt64(), off.GetProperty("estimated_load_peak_bytes").GetInt64());
        Assert.Equal(off.GetProperty("estimated_memory_bytes").GetInt64(), on.GetProperty("estimated_memory_bytes").GetInt64());
        Assert.Equal(0, code);
        Assert.Contains(F($"    repacked       {repacked:N0} bytes ({repacked / 1048576.0:0.0} MiB), copied into anonymous memory at load"), human, StringComparison.Ordinal);
        Assert.Contains(F($"    mapped         {mapped:N0} bytes ({mapped / 1048576.0:0.0} MiB), read from the mapped file"), human, StringComparison.Ordinal);
        Assert.Contains("at the peak of load ", human, StringComparison.Ordinal);
        Assert.Contains(F($"  weights (mapped) {file.TensorDataBytes:N0} bytes"), humanOff, StringComparison.Ordinal);
        Assert.Contains("nothing repacked (repack off)", humanOff, StringComparison.Ordinal);
        Assert.DoesNotContain("at the peak of load", humanOff, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_Q4KMFileRepackAuto_CountsWhatTheLoadedCpuBackendRepacks()
    {
        var path = _temp.File("q4km.gguf");
        ModelSynthesizer.Write(path, new SynthesisOptions { Shape = WideShape, Quant = ModelQuantization.Q4_K_M });

        var json = InspectJson(path);

        // Decided as the engine decides, with the kernels of the CPU backend the command loaded for it.
        var expected = RepackedWeights.AtLoad(GgufReader.Read(path), null, FrugalCpuKernels.Current);
        Assert.Equal("auto", json.GetProperty("repack").GetString());
        Assert.Equal(expected, json.GetProperty("estimated_weights_repacked_bytes").GetInt64());
    }

    [Fact]
    public void Inspect_Q8_0File_ShowsNothingRepacked()
    {
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);

        var (_, auto, _) = CliRunner.InProcess("model", "inspect", path);
        var (_, on, _) = CliRunner.InProcess("model", "inspect", path, "--repack", "on");
        var json = InspectJson(path, "--repack", "on");

        Assert.Contains("nothing repacked (repack auto does not repack a Q8_0 file with this CPU backend)", auto, StringComparison.Ordinal);
        Assert.Contains("nothing repacked (none of its matrices is of a type llama.cpp repacks: Q4_0, Q4_K, IQ4_NL)", on, StringComparison.Ordinal);
        Assert.DoesNotContain("at the peak of load", auto, StringComparison.Ordinal);
        Assert.Equal(0, json.GetProperty("estimated_weights_repacked_bytes").GetInt64());
        Assert.Equal(json.GetProperty("estimated_memory_bytes").GetInt64(), json.GetProperty("estimated_load_peak_bytes").GetInt64());
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("truncated")]
    [InlineData("garbage")]
    public void Inspect_BadFile_ExitsTwoWithOneLineOnStderr(string kind)
    {
        var path = _temp.File(kind + ".gguf");
        if (kind == "truncated")
        {
            ModelSynthesizer.WriteTiny(path);
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..5000]);
        }
        else if (kind == "garbage")
        {
            File.WriteAllText(path, "this is not a model\n");
        }

        var (code, output, error) = CliRunner.InProcess("model", "inspect", path, "--json");

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains(path, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_BuiltCliOnMalformedFile_ExitsTwoWithOneLineAndNoStackTrace()
    {
        var path = _temp.File("bad.gguf");
        File.WriteAllBytes(path, [.. "GGUF"u8, 3, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0]);

        var (code, _, error) = CliRunner.Process("model", "inspect", path);

        Assert.Equal(2, code);
        var lines = error.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("frugal: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("tensor count", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_NonPositiveContext_FailsWithClearMessage()
    {
        var path = _temp.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(path);

        var (code, _, error) = CliRunner.InProcess("model", "inspect", path, "--ctx", "0");

        Assert.NotEqual(0, code);
        Assert.Contains("--ctx must be between 1", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("q8_0", "Q8_0")]
    [InlineData("f16", "F16")]
    [InlineData("q4_0", "Q4_0")]
    [InlineData("q4_k_m", "Q4_K_M")]
    [InlineData("q5_k_m", "Q5_K_M")]
    [InlineData("q6_k", "Q6_K")]
    public void Synth_Tiny_WritesAModelThatInspectReads(string quant, string fileType)
    {
        var path = _temp.File("synth.gguf");

        var (code, output, error) = CliRunner.InProcess("model", "synth", "--shape", "tiny", "--quant", quant, "-o", path);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("wrote", output, StringComparison.Ordinal);
        var info = ModelInfoReader.Read(path);
        Assert.Equal(fileType, info.FileType);
        Assert.Equal(ModelShape.Tiny.BlockCount, info.BlockCount);
    }

    [Fact]
    public void Synth_Layers_WritesThatManyBlocksOfTheShapesWidth()
    {
        var path = _temp.File("light.gguf");

        var (code, output, error) = CliRunner.InProcess("model", "synth", "--shape", "tiny", "--layers", "5", "-o", path);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("(5 blocks)", output, StringComparison.Ordinal);
        var info = ModelInfoReader.Read(path);
        Assert.Equal(5, info.BlockCount);
        Assert.Equal(ModelShape.Tiny.EmbeddingLength, info.EmbeddingLength);
    }

    [Fact]
    public void Synth_VocabFromMalformedFile_ExitsTwo()
    {
        var vocab = _temp.File("vocab.gguf");
        File.WriteAllText(vocab, "nope");

        var (code, _, error) = CliRunner.InProcess("model", "synth", "--shape", "tiny", "--vocab-from", vocab, "-o", _temp.File("out.gguf"));

        Assert.Equal(2, code);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(_temp.File("out.gguf")));
    }

    [Theory]
    [InlineData("--shape", "huge", "-o", "x.gguf")]
    [InlineData("--shape", "tiny")]
    [InlineData("--shape", "tiny", "--quant", "q3_k_s", "-o", "x.gguf")]
    [InlineData("--shape", "tiny", "--layers", "0", "-o", "x.gguf")]
    public void Synth_BadArguments_FailsWithoutWriting(params string[] args)
    {
        var (code, _, error) = CliRunner.InProcess(["model", "synth", .. args]);

        Assert.NotEqual(0, code);
        Assert.NotEqual("", error.Trim());
    }

    // Rows of whole 256-element super-blocks, so the Q4_K_M mix is TinyLlama's, and several MiB of it repacked.
    private static readonly ModelShape WideShape = ModelShape.Tiny with
    {
        Name = "wide",
        EmbeddingLength = 512,
        FeedForwardLength = 1024,
        HeadCount = 8,
        HeadCountKv = 2,
        BlockCount = 8,
    };

    private static JsonElement InspectJson(string path, params string[] options)
    {
        var (code, output, error) = CliRunner.InProcess(["model", "inspect", path, "--json", .. options]);
        Assert.Equal((0, ""), (code, error));
        using var json = JsonDocument.Parse(output);
        return json.RootElement.Clone();
    }

    private static string F(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
