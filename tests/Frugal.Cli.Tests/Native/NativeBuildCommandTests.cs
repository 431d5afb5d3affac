using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Frugal.Cli.Native;
using Frugal.Memory;
using Frugal.Models;
using Frugal.Tests.Commands;

namespace Frugal.Tests.Native;

/// <summary>
/// <c>frugal native build</c> run as the real executable: it fetches llama.cpp b10361's source from the npm registry,
/// compiles Frugal's CPU backend for this CPU (about a minute on two cores), installs and records it; <c>generate</c>
/// on that data directory then loads it, Frugal's Q8_0, Q4_K, Q5_K and Q6_K products compute the decoded tokens of files
/// read from the map as they are, and the greedy replies are the ones the same library gives with the products left to
/// ggml. A Q4_K_M file is repacked by default (the backend reports kernels for llama.cpp's repacked Q4_K), and Frugal's
/// kernels compute its repacked Q4_K products, which in ggml graphs agree with the exact product as llama.cpp's own
/// repacked kernels do. Its attention for decoded tokens (not ggml's arithmetic bit for bit) runs in generate and, in
/// ggml graphs shaped as llama.cpp builds them, agrees with attention in double precision, as ggml's own does less
/// closely.
/// </summary>
public sealed class NativeBuildCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Build_RealSource_InstallsAndDecodesQ8_0Q4_K_MAndQ5_K_MAsGgmlDoes()
    {
        // native build refuses a CPU without the instructions the kernels are written with (a test of its own).
        var lacking = CpuBackendBuilder.MissingInstructions(new CpuProbe().Read().Flags);
        Assert.SkipWhen(lacking.Count > 0, $"this test machine lacks {string.Join(", ", lacking)}, which Frugal's kernels are written with");
        var data = _temp.File("data");
        var native = Path.Combine(data, "native");

        var (code, output, error) = CliRunner.Process("native", "build", "--data", data);

        Assert.True(code == 0, output + error);
        var library = Path.Combine(native, CpuBackendBuilder.Variant, "libllama.so");
        Assert.Contains($"installed the '{CpuBackendBuilder.Variant}' CPU backend: {library}", output, StringComparison.Ordinal);
        Assert.DoesNotContain(".build-", output, StringComparison.Ordinal);
        Assert.Equal(["SOURCE", "libggml-base.so", "libggml-cpu.so", "libggml.so", "libllama.so"],
            Directory.GetFiles(Path.Combine(native, CpuBackendBuilder.Variant)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // No work directory left (source and build are deleted); the record auto reads.
        Assert.Equal([CpuBackendBuilder.Variant, InstalledCpuBackend.RecordFile],
            Directory.GetFileSystemEntries(native).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var model = _temp.File("tiny-q8_0.gguf");
        var synth = CliRunner.Process("model", "synth", "--shape", "tiny", "--quant", "q8_0", "-o", model);
        Assert.True(synth.ExitCode == 0, synth.Error);
        var (backend, reply, trace, _) = Generate(model, data, "trace", attention: "off");
        var (backendOff, replyOff, traceOff, _) = Generate(model, data, "off");

        Assert.Equal(Path.Combine(native, CpuBackendBuilder.Variant, "libggml-cpu.so"), backend);
        Assert.Equal(backend, backendOff);
        Assert.Contains("frugal-matvec: Q8_0 ", trace, StringComparison.Ordinal);
        // model synth writes Q8_0 quants of -127..127, as llama.cpp's quantizer does: every matrix takes the faster sign
        // order, and the reply is still ggml's bit for bit. The prompt's products go through Frugal's Q8_0 matmul (each
        // block summed in integers before one float step: not ggml's rounding; with VNNI on a CPU that has AVX-512 VNNI),
        // and the greedy reply is still the one ggml gives.
        Assert.Contains("frugal-matvec: Q8_0 weights without a -128 byte: the column's signs taken once", trace, StringComparison.Ordinal);
        Assert.Matches(@"frugal-matvec: Q8_0 \d+ x \d+ times \d+ columns, sixteen rows interleaved, "
            + (FrugalCpuKernelTests.HasAvx512Vnni() ? "four columns at a time with VNNI" : "two columns at a time"), trace);
        Assert.DoesNotContain("holds a -128 byte", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("frugal-attention", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("frugal-", traceOff, StringComparison.Ordinal);
        Assert.Equal(replyOff, reply);

        // One -128 quant written into the first layer's query matrix (a file from elsewhere may hold anything): that
        // matrix keeps llama.cpp's sign order, the others the faster one, and the reply is again ggml's.
        var foreign = _temp.File("tiny-q8_0-foreign.gguf");
        File.Copy(model, foreign);
        var parsed = GgufReader.Read(foreign);
        var query = parsed.Tensors.Single(t => t.Name == "blk.0.attn_q.weight");
        Assert.Equal(GgmlType.Q8_0, query.Type);
        using (var file = File.OpenWrite(foreign))
        {
            file.Position = parsed.DataOffset + query.Offset + query.ByteSize - 34 + 2 + 17;
            file.WriteByte(0x80);
        }

        var (_, foreignReply, foreignTrace, _) = Generate(foreign, data, "trace", attention: "off");
        var (_, foreignReplyOff, _, _) = Generate(foreign, data, "off");
        Assert.Matches(@"frugal-matvec: Q8_0 \d+ x \d+ holds a -128 byte: llama.cpp's sign order for it", foreignTrace);
        Assert.Contains("frugal-matvec: Q8_0 weights without a -128 byte", foreignTrace, StringComparison.Ordinal);
        Assert.Equal(foreignReplyOff, foreignReply);

        // Q4_K_M (Q4_K and Q6_K matrices) read from the map (--repack off): the hook computes both, as ggml does.
        // Q5_K_M (Q5_K, with Q6_K for some matrices): never repacked.
        AssertOneBlockDecodesAsGgml(data, "q4_k_m", ["Q4_K", "Q6_K"], ["--repack", "off"], ["--repack", "off"]);
        AssertOneBlockDecodesAsGgml(data, "q5_k_m", ["Q5_K"], [], []);

        // generate's default (repack auto) on Q4_K_M: the backend reports its kernels for llama.cpp's repacked Q4_K, so
        // the Q4_K matrices are repacked and Frugal's repacked kernels compute them (the prompt's columns and a decoded
        // token's); the Q6_K matrices stay mapped, through the mapped kernels.
        var (_, repackedReply, repackedTrace, repackedPages) = Generate(_temp.File("tinyllama-1-q4_k_m.gguf"), data, "trace", attention: "off");
        // The repacked copy asks for 2 MiB pages before it is written, and where the kernel gives them the engine's report
        // of the weights' pages (generate's weight_pages) counts them.
        var advised = Regex.Match(repackedTrace, @"frugal-pages: repacked buffer of (\d+) MiB, (\d+) MiB of it advised 2 MiB pages\n");
        Assert.True(advised.Success, repackedTrace);
        Assert.InRange(int.Parse(advised.Groups[2].Value, CultureInfo.InvariantCulture), 1, int.Parse(advised.Groups[1].Value, CultureInfo.InvariantCulture));
        if (!File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[never]", StringComparison.Ordinal))
        {
            Assert.Matches(@"its repacked copy of the weights holds [1-9][\d,]* MiB in them", repackedPages);
        }

        Assert.Matches(@"frugal-matvec: Q4_K repacked \d+ x \d+ times 1 column,", repackedTrace);
        Assert.Matches(@"frugal-matvec: Q4_K repacked \d+ x \d+ times ([4-9]|\d\d+) columns,", repackedTrace);
        Assert.Matches(@"frugal-matvec: Q6_K \d+ x \d+ times 1 column,", repackedTrace);
        Assert.DoesNotMatch(@"frugal-matvec: Q4_K \d", repackedTrace);
        Assert.NotEmpty(repackedReply);
        // In ggml graphs with the weights in the library's repack buffer type (1 to 7 and 9 columns; one or two threads),
        // Frugal's repacked products and llama.cpp's own agree with the exact product of the Q8_K activations, and the
        // two or three columns past the last four (Frugal's: at once) equal each column multiplied alone bit for bit.
        var repackedTest = CompileAgainst(Path.Combine(native, CpuBackendBuilder.Variant), "repacked-graph-test.c");
        var frugalRepacked = CliRunner.Program([repackedTest], new Dictionary<string, string> { ["FRUGAL_CPU_MATVEC"] = "trace" });
        var ggmlRepacked = CliRunner.Program([repackedTest], new Dictionary<string, string> { ["FRUGAL_CPU_MATVEC"] = "off" });
        Assert.True(frugalRepacked.ExitCode == 0, frugalRepacked.Output + frugalRepacked.Error);
        Assert.StartsWith("ok 64 ", frugalRepacked.Output, StringComparison.Ordinal);
        Assert.Contains("frugal-matvec: Q4_K repacked 8 x 256 times 1 column,", frugalRepacked.Error, StringComparison.Ordinal);
        Assert.Contains("frugal-matvec: Q4_K repacked 8 x 256 times 4 columns,", frugalRepacked.Error, StringComparison.Ordinal);
        Assert.Contains("frugal-matvec: Q4_K repacked 8 x 256 times 2 columns at once", frugalRepacked.Error, StringComparison.Ordinal);
        Assert.True(ggmlRepacked.ExitCode == 0, ggmlRepacked.Output + ggmlRepacked.Error);
        Assert.StartsWith("ok 64 ", ggmlRepacked.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("frugal-matvec", ggmlRepacked.Error, StringComparison.Ordinal);

        // Attention: generate's prompt (under 64 tokens) and decoded tokens go through Frugal's (TinyLlama's 32 heads over
        // 4 KV heads) ...
        var (_, attended, attentionTrace, _) = Generate(_temp.File("tinyllama-1-q4_k_m.gguf"), data, "on", attention: "trace");
        Assert.Matches(@"frugal-attention: 32 heads over 4 KV heads, \d+ cells, 1 token\(s\) in 1 stream\(s\)", attentionTrace);
        Assert.Matches(@"frugal-attention: 32 heads over 4 KV heads, \d+ cells, ([2-9]|\d\d) token\(s\) in 1 stream\(s\)", attentionTrace);
        Assert.NotEmpty(attended);
        // ... and the library's flash attention in graphs as llama.cpp builds them (1-5 tokens, one or two streams, 3-12
        // heads a KV head, one or two threads) agrees with double precision: Frugal's closely, ggml's own as its f16
        // accumulator allows (which checks the harness's reference against ggml's semantics).
        var graphTest = CompileAgainst(Path.Combine(native, CpuBackendBuilder.Variant), "attention-graph-test.c");
        var frugal = CliRunner.Program([graphTest], new Dictionary<string, string> { ["FRUGAL_CPU_ATTENTION"] = "trace" });
        var ggml = CliRunner.Program([graphTest], new Dictionary<string, string> { ["FRUGAL_CPU_ATTENTION"] = "off" });
        Assert.True(frugal.ExitCode == 0, frugal.Output + frugal.Error);
        Assert.StartsWith("ok 8 ", frugal.Output, StringComparison.Ordinal);
        Assert.Contains("frugal-attention: 32 heads over 4 KV heads, 300 cells, 1 token(s) in 1 stream(s)", frugal.Error, StringComparison.Ordinal);
        Assert.True(ggml.ExitCode == 0, ggml.Output + ggml.Error);
        Assert.StartsWith("ok 8 ", ggml.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("frugal-attention", ggml.Error, StringComparison.Ordinal);
    }

    // Compiles one of native/cpu/test's programs against the ggml libraries in LIBRARIES: its path.
    private string CompileAgainst(string libraries, string program)
    {
        var output = _temp.File(Path.GetFileNameWithoutExtension(program));
        var (code, _, errors) = CliRunner.Program("cc", "-O2", "-mf16c", "-Wall", "-Wextra", "-Werror", "-o", output,
            Path.Combine(TestModels.RepositoryRoot, "native", "cpu", "test", program), "-L" + libraries, "-l:libggml-base.so", "-l:libggml-cpu.so",
            "-Wl,-rpath," + libraries, "-lm");
        Assert.True(code == 0, errors);
        return output;
    }

    // One block of TinyLlama's shape in QUANT (rows a whole number of 256-weight super-blocks): with the hook (and
    // ON_ARGS) the trace names each of TYPES (times the prompt's columns and times one decoded token's) and Frugal's Q8_K
    // quantizer, and with it off (and OFF_ARGS) ggml's own code gives the same greedy reply (Frugal's attention off on
    // both sides: its sums are not ggml's bit for bit, and a random model's close logits would part the replies after a
    // few tokens).
    private void AssertOneBlockDecodesAsGgml(string data, string quant, string[] types, string[] onArgs, string[] offArgs)
    {
        var model = _temp.File($"tinyllama-1-{quant}.gguf");
        var synth = CliRunner.Process("model", "synth", "--shape", "tinyllama-1.1b", "--layers", "1", "--quant", quant, "-o", model);
        Assert.True(synth.ExitCode == 0, synth.Error);
        var (_, reply, trace, _) = Generate(model, data, "trace", attention: "off", more: onArgs);
        var (_, replyOff, traceOff, _) = Generate(model, data, "off", more: offArgs);

        // Each type's products computed by the hook both for the prompt's batch of columns and for a decoded token.
        Assert.All(types, type => Assert.Matches($@"frugal-matvec: {type} \d+ x \d+ times 1 column,", trace));
        Assert.All(types, type => Assert.Matches($@"frugal-matvec: {type} \d+ x \d+ times ([2-9]|\d\d+) columns,", trace));
        Assert.Contains("frugal-quantize: Q8_K activations", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("frugal-", traceOff, StringComparison.Ordinal);
        Assert.Equal(replyOff, reply);
    }

    // generate (24 greedy tokens) on the data directory's installed build, with FRUGAL_CPU_MATVEC (and
    // FRUGAL_CPU_ATTENTION, when given) set: the backend it loaded, the reply and what went to stderr.
    private static (string? Backend, string Reply, string Error, string WeightPages) Generate(string model, string data, string matvec, string? attention = null, string[]? more = null)
    {
        var environment = new Dictionary<string, string> { ["FRUGAL_DATA"] = data, ["FRUGAL_CPU_MATVEC"] = matvec };
        if (attention is not null)
        {
            environment["FRUGAL_CPU_ATTENTION"] = attention;
        }

        var (code, json, error) = CliRunner.Process(["generate", "-m", model, "-p", "Tell me about the sea", "--temperature", "0",
            "--max-tokens", "24", "--json", .. more ?? []], environment);

        Assert.True(code == 0, error);
        using var result = JsonDocument.Parse(json);
        Assert.Equal(24, result.RootElement.GetProperty("completion_tokens").GetInt32());
        return (result.RootElement.GetProperty("cpu_backend").GetString(), result.RootElement.GetProperty("text").GetString()!, error,
            result.RootElement.GetProperty("weight_pages").GetString()!);
    }
}
