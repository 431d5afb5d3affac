using System.Text.Json;
using Frugal.Cli.Native;
using Frugal.Tests.Commands;

namespace Frugal.Tests.Native;

/// <summary>
/// <c>frugal native build</c> run as the real executable: it fetches llama.cpp b10361's source from the npm registry,
/// compiles Frugal's CPU backend for this CPU (about a minute on two cores), installs and records it; <c>generate</c>
/// on that data directory then loads it, Frugal's Q8_0, Q4_K, Q5_K and Q6_K products compute the decoded tokens (a Q4_K_M
/// file left unrepacked, as the backend reports kernels for its types), and the greedy replies are the ones the same
/// library gives with the products left to ggml.
/// </summary>
public sealed class NativeBuildCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Build_RealSource_InstallsAndDecodesQ8_0Q4_K_MAndQ5_K_MAsGgmlDoes()
    {
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
        var (backend, reply, trace) = Generate(model, data, "trace");
        var (backendOff, replyOff, traceOff) = Generate(model, data, "off");

        Assert.Equal(Path.Combine(native, CpuBackendBuilder.Variant, "libggml-cpu.so"), backend);
        Assert.Equal(backend, backendOff);
        Assert.Contains("frugal-matvec: Q8_0 ", trace, StringComparison.Ordinal);
        Assert.DoesNotContain("frugal-matvec", traceOff, StringComparison.Ordinal);
        Assert.Equal(replyOff, reply);

        // Q4_K_M (Q4_K and Q6_K matrices): one block of TinyLlama's shape, for rows a whole number of 256-weight
        // super-blocks. The backend reports its kernels for both types, so generate's default (repack auto) leaves the
        // matrices mapped as they are and the hook computes both; with the hook off (and no repacking, to compare the
        // same arithmetic) ggml's own code gives the same greedy reply.
        var k = _temp.File("tinyllama-1-q4_k_m.gguf");
        var synthK = CliRunner.Process("model", "synth", "--shape", "tinyllama-1.1b", "--layers", "1", "--quant", "q4_k_m", "-o", k);
        Assert.True(synthK.ExitCode == 0, synthK.Error);
        var (_, replyK, traceK) = Generate(k, data, "trace");
        var (_, replyKOff, traceKOff) = Generate(k, data, "off", "--repack", "off");

        Assert.Contains("frugal-matvec: Q4_K ", traceK, StringComparison.Ordinal);
        Assert.Contains("frugal-matvec: Q6_K ", traceK, StringComparison.Ordinal);
        Assert.DoesNotContain("frugal-matvec", traceKOff, StringComparison.Ordinal);
        Assert.Equal(replyKOff, replyK);

        // Q5_K_M (Q5_K, with Q6_K for some matrices): no repacking either way.
        var k5 = _temp.File("tinyllama-1-q5_k_m.gguf");
        var synthK5 = CliRunner.Process("model", "synth", "--shape", "tinyllama-1.1b", "--layers", "1", "--quant", "q5_k_m", "-o", k5);
        Assert.True(synthK5.ExitCode == 0, synthK5.Error);
        var (_, replyK5, traceK5) = Generate(k5, data, "trace");
        var (_, replyK5Off, traceK5Off) = Generate(k5, data, "off");

        Assert.Contains("frugal-matvec: Q5_K ", traceK5, StringComparison.Ordinal);
        Assert.DoesNotContain("frugal-matvec", traceK5Off, StringComparison.Ordinal);
        Assert.Equal(replyK5Off, replyK5);
    }

    // generate (24 greedy tokens) on the data directory's installed build, with FRUGAL_CPU_MATVEC set: the backend it
    // loaded, the reply and what went to stderr.
    private static (string? Backend, string Reply, string Error) Generate(string model, string data, string matvec, params string[] more)
    {
        var (code, json, error) = CliRunner.Process(["generate", "-m", model, "-p", "Tell me about the sea", "--temperature", "0",
            "--max-tokens", "24", "--json", .. more], new Dictionary<string, string> { ["FRUGAL_DATA"] = data, ["FRUGAL_CPU_MATVEC"] = matvec });

        Assert.True(code == 0, error);
        using var result = JsonDocument.Parse(json);
        Assert.Equal(24, result.RootElement.GetProperty("completion_tokens").GetInt32());
        return (result.RootElement.GetProperty("cpu_backend").GetString(), result.RootElement.GetProperty("text").GetString()!, error);
    }
}
