using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Frugal.Inference;
using Frugal.Models;
using Frugal.Tests.Commands;

namespace Frugal.Tests.Configuration;

/// <summary><c>frugal serve</c> run as the real executable with a settings file, environment variables and flags.</summary>
public sealed class ServeConfigurationProcessTests
{
    [Fact]
    public async Task Serve_ConfigFileEnvironmentAndSet_StatusReportsTheWinningValues()
    {
        using var dir = new TempDirectory();
        var model = dir.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(model);
        var data = dir.File("data");
        var (addCode, added, addError) = CliRunner.Process("user", "add", "alice", "--data", data);
        Assert.True(addCode == 0, addError);
        var key = added.TrimEnd('\n').Split('\n')[^1];
        var config = dir.File("frugal.json");
        await File.WriteAllTextAsync(config, """{ "Memory": { "HighThreshold": 0.81, "CriticalThreshold": 0.97, "ReplyTokenCap": 77 } }""",
            TestContext.Current.CancellationToken);

        using var server = Start(
            ["serve", "--model", model, "--data", data, "--port", "0", "--ctx", "256", "--config", config, "--set", "Memory:ReplyTokenCap=99"],
            new Dictionary<string, string> { ["FRUGAL__MEMORY__CRITICALTHRESHOLD"] = "0.93", ["FRUGAL__MEMORY__REPLYTOKENCAP"] = "88" });
        try
        {
            var address = await ReadAddressAsync(server);
            using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(1) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var status = JsonDocument.Parse(await client.GetStringAsync(new Uri("status", UriKind.Relative), TestContext.Current.CancellationToken));
            var settings = status.RootElement.GetProperty("memory_settings");

            Assert.Equal(0.81, settings.GetProperty("high_threshold").GetDouble()); // the file
            Assert.Equal(0.93, settings.GetProperty("critical_threshold").GetDouble()); // environment over the file
            Assert.Equal(99, settings.GetProperty("reply_token_cap").GetInt32()); // --set over both
            Assert.Equal(0.75, settings.GetProperty("medium_threshold").GetDouble()); // the default
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public void Serve_InvalidThresholdInConfig_ExitsNonZeroWithOneClearLine()
    {
        using var dir = new TempDirectory();
        var config = dir.File("frugal.json");
        File.WriteAllText(config, """{ "Memory": { "HighThreshold": 0.99, "CriticalThreshold": 0.95 } }""");

        // The settings are checked before the model is even looked at.
        var (code, _, error) = CliRunner.Process("serve", "--model", dir.File("none.gguf"), "--config", config);

        Assert.Equal(2, code);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("frugal: Memory: ", line, StringComparison.Ordinal);
        Assert.Contains("thresholds must rise: medium (0.75) <= high (0.99) < critical (0.95)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_NativeLibraryFrugalWhereThisProgramShipsNoBackend_ExitsWithWhy()
    {
        using var dir = new TempDirectory();
        var model = dir.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(model);

        // The test's program is a build from source: no native/frugal-avx2 beside it.
        var (code, _, error) = CliRunner.Process("serve", "--model", model, "--data", dir.File("data"), "--set", "Model:NativeLibrary=frugal");

        Assert.Equal(2, code);
        var line = Assert.Single(error.Trim().Split('\n'));
        Assert.StartsWith("frugal: native library 'frugal': Frugal's CPU backend is not shipped beside this program", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_UnconvertibleValue_NamesTheKey()
    {
        using var dir = new TempDirectory();
        var config = dir.File("frugal.json");
        File.WriteAllText(config, """{ "ResponseCache": { "MaxBytes": "a lot" } }""");

        var (code, _, error) = CliRunner.Process("serve", "--model", dir.File("none.gguf"), "--config", config);

        Assert.Equal(2, code);
        Assert.Contains("ResponseCache:MaxBytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_NativeLibrarySet_LoadsThatCpuBackend()
    {
        using var dir = new TempDirectory();
        var model = dir.File("tiny.gguf");
        ModelSynthesizer.WriteTiny(model);

        // noavx: a packaged build every x86-64 CPU runs, and never what "auto" picks on a machine with AVX2.
        using var server = Start(
            ["serve", "--model", model, "--data", dir.File("data"), "--port", "0", "--ctx", "256", "--set", "Model:NativeLibrary=noavx"],
            []);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            string? loaded = null;
            while (loaded is null && await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                const string Marker = "Native library: noavx (CPU backend ";
                var at = line.IndexOf(Marker, StringComparison.Ordinal);
                loaded = at >= 0 ? line[(at + Marker.Length)..] : null;
            }

            Assert.NotNull(loaded);
            Assert.Contains("/noavx/libggml-cpu.so", loaded, StringComparison.Ordinal);
            Assert.Contains("Q8_0 weights memory-mapped as they are (repack auto)", loaded, StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public async Task Serve_RepackWeightsOnQ4_0File_LlamaCppRepacksOnlyWhenSet(string? setting, bool repacked)
    {
        using var dir = new TempDirectory();
        var model = dir.File("q4_0.gguf");
        // Rows of whole 256-element super-blocks, so llama.cpp's Q4_0 repacking applies as on TinyLlama.
        var shape = ModelShape.Tiny with { Name = "superblock", EmbeddingLength = 256, FeedForwardLength = 512, BlockCount = 2 };
        ModelSynthesizer.Write(model, new SynthesisOptions { Shape = shape, Quant = ModelQuantization.Q4_0 });
        List<string> args = ["serve", "--model", model, "--data", dir.File("data"), "--port", "0", "--ctx", "256", "--set", "Logging:LogLevel:Default=Debug"];
        if (setting is not null)
        {
            args.AddRange(["--set", "Model:RepackWeights=" + setting]);
        }

        using var server = Start(args, []);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var lines = new List<string>();
            while (!lines.Exists(l => l.Contains("Native library: ", StringComparison.Ordinal)) && await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
            }

            var loaded = Assert.Single(lines, l => l.Contains("Native library: ", StringComparison.Ordinal));
            Assert.Contains(repacked ? "Q4_0 weights repacked" : "Q4_0 weights memory-mapped as they are", loaded, StringComparison.Ordinal);
            Assert.Contains(setting switch { null => "(repack auto)", "true" => "(repack on)", _ => "(repack off)" }, loaded, StringComparison.Ordinal);
            // llama.cpp's own account of its buffers: a CPU_REPACK buffer only when it repacked, as large as the matrices
            // Frugal counts as repacked (the memory governor's mapped weights leave them out).
            var buffer = lines.Find(l => l.Contains("CPU_REPACK model buffer size", StringComparison.Ordinal));
            Assert.Equal(repacked, buffer is not null);
            if (buffer is not null)
            {
                var mib = double.Parse(Regex.Match(buffer, @"=\s*([\d.]+) MiB").Groups[1].Value, CultureInfo.InvariantCulture);
                var counted = RepackedWeights.Bytes(GgufReader.Read(model), RepackedWeights.LlamaCppTypes) / 1048576.0;
                Assert.True(counted > 0 && Math.Abs(mib - counted) <= 0.02 + (0.01 * counted), $"llama.cpp repacked {mib} MiB, Frugal counts {counted:F2}");
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    public async Task Serve_HugePages_OnByDefault_OffWhenSet(string? setting)
    {
        using var dir = new TempDirectory();
        var model = dir.File("f16.gguf");
        // ≈11 MiB: more than two huge pages, so the load looks at the file's pages.
        HugePageFiles.WriteModel(model);
        List<string> args = ["serve", "--model", model, "--data", dir.File("data"), "--port", "0", "--ctx", "256"];
        if (setting is not null)
        {
            args.AddRange(["--set", "Model:HugePages=" + setting]);
        }

        using var server = Start(args, []);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            string? pages = null;
            while (pages is null && await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                pages = line.Contains("huge pages for the weights: ", StringComparison.Ordinal) ? line : null;
            }

            Assert.NotNull(pages);
            if (setting is null)
            {
                // Read from the file's own pages: "cached in 2 MiB pages", "read back", or "no large folios" on such a kernel.
                Assert.DoesNotContain("weights: off", pages, StringComparison.Ordinal);
                Assert.Matches(OperatingSystem.IsLinux() ? "MiB" : "not on this system", pages);
            }
            else
            {
                Assert.Contains("huge pages for the weights: off", pages, StringComparison.Ordinal);
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    private static Process Start(IEnumerable<string> args, Dictionary<string, string> environment)
    {
        var start = CliRunner.StartInfo(args);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    // The server prints "Frugal is listening on http://127.0.0.1:PORT/ ..." once Kestrel is bound.
    private static async Task<Uri> ReadAddressAsync(Process server)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            const string Marker = "Frugal is listening on ";
            if (line.StartsWith(Marker, StringComparison.Ordinal))
            {
                return new Uri(line[Marker.Length..].Split(' ')[0]);
            }
        }

        throw new InvalidOperationException("frugal serve exited: " + await server.StandardError.ReadToEndAsync());
    }
}
