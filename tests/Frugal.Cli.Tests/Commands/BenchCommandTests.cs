using System.CommandLine;
using System.Text.Json;
using Frugal.Cli.Commands;
using Frugal.Models;

namespace Frugal.Tests.Commands;

public sealed class BenchCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("frugal-bench-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Bench_QuickOnTinyModel_WritesJsonOfTheDocumentedShape()
    {
        var model = Path.Combine(_directory, "tiny.gguf");
        ModelSynthesizer.WriteTiny(model);
        var json = Path.Combine(_directory, "bench.json");
        var markdown = Path.Combine(_directory, "bench.md");

        var exit = await Run("bench", "--model", model, "--quick", "--json", json, "--markdown", markdown);

        Assert.Equal(0, exit);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        var root = document.RootElement;
        foreach (var name in new[] { "load_ms", "prompt_tokens_per_second", "decode_tokens_per_second", "peak_memory_bytes", "peak_anonymous_bytes" })
        {
            Assert.True(root.GetProperty(name).GetDouble() > 0, name);
        }

        var baseline = root.GetProperty("baseline");
        Assert.True(baseline.GetProperty("prompt_tokens_per_second").GetDouble() > 0);
        Assert.True(baseline.GetProperty("decode_tokens_per_second").GetDouble() > 0);
        Assert.Equal(1, root.GetProperty("profile").GetProperty("chat_rounds").GetInt32());
        var ceiling = root.GetProperty("ceiling");
        var ceilingRounds = ceiling.GetProperty("rounds").EnumerateArray().ToArray();
        Assert.Equal(root.GetProperty("profile").GetProperty("rounds").GetInt32(), ceilingRounds.Length);
        // A round's fraction is its decode over its own ceiling (three decimals: a tiny model's cached file reads so fast
        // that its fraction can round to 0).
        var bytesPerToken = ceiling.GetProperty("bytes_per_token").GetDouble();
        Assert.All(ceilingRounds, r =>
        {
            var read = r.GetProperty("read_bytes_per_second").GetDouble();
            Assert.True(read > 0);
            Assert.InRange(r.GetProperty("decode_fraction_of_ceiling").GetDouble() - (r.GetProperty("decode_tokens_per_second").GetDouble() / (read / bytesPerToken)), -0.0015, 0.0015);
        });
        // The tiny model is under one huge page: its ceiling reads come from 4 KiB pages.
        Assert.All(ceilingRounds, r => Assert.Equal(0, r.GetProperty("huge_bytes").GetInt64()));
        Assert.True(ceiling.GetProperty("decode_fraction_of_ceiling").GetDouble() >= 0);
        // The tiny model is under two huge pages: the load leaves its pages alone and says so.
        var pages = root.GetProperty("weight_pages");
        Assert.Equal(OperatingSystem.IsLinux() ? "TooSmall" : "NotLinux", pages.GetProperty("outcome").GetString());
        Assert.Equal(OperatingSystem.IsLinux() ? new FileInfo(model).Length : 0, pages.GetProperty("file_bytes").GetInt64());
        Assert.Contains("Weights at the load: huge pages for the weights", await File.ReadAllTextAsync(markdown, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var ttft = root.GetProperty("ttft_ms");
        var turns = ttft.GetProperty("single").GetArrayLength();
        Assert.True(turns >= 2);
        var followUp = baseline.GetProperty("follow_up_ms");
        foreach (var side in new[] { "frugal", "plain" })
        {
            Assert.Equal(turns, followUp.GetProperty(side).GetArrayLength());
            Assert.All(followUp.GetProperty(side).EnumerateArray(), ms => Assert.True(ms.GetDouble() > 0, side));
        }

        Assert.True(followUp.GetProperty("median_ratio").GetDouble() > 0);
        Assert.Equal(3, ttft.GetProperty("interleaved").GetArrayLength());
        Assert.All(ttft.GetProperty("interleaved").EnumerateArray(), session => Assert.Equal(turns, session.GetArrayLength()));
        var aggregate = root.GetProperty("aggregate_decode_tokens_per_second");
        Assert.Equal(["1", "2", "4"], aggregate.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["1", "2", "4"], root.GetProperty("batched_decode_tokens_per_second").EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("box").ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(root.GetProperty("machine").GetString()));
        var text = await File.ReadAllTextAsync(markdown, TestContext.Current.CancellationToken);
        Assert.Contains("| decode (tokens/s) |", text, StringComparison.Ordinal);
        Assert.Contains("| plain LLamaSharp |", text, StringComparison.Ordinal);
        Assert.Contains("Frugal / plain LLamaSharp per turn: median", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_MissingModel_FailsWithOneLine()
    {
        var exit = await Run("bench", "--model", Path.Combine(_directory, "none.gguf"), "--quick");

        Assert.NotEqual(0, exit);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("0,2g")]
    [InlineData("1,lots")]
    [InlineData("1,2g,3")]
    public async Task Bench_BadBox_IsRejectedBeforeAnythingRuns(string box)
    {
        var exit = await Run("bench", "--model", "x.gguf", "--box", box);

        Assert.NotEqual(0, exit);
    }

    [Fact]
    public void TryParseBox_CpusAndMemory_Parsed()
    {
        Assert.True(BenchCommand.TryParseBox("1,2g", out var cpus, out var memory));
        Assert.Equal(1, cpus);
        Assert.Equal(ByteSize.FromGibibytes(2), memory);
    }

    private static Task<int> Run(params string[] args)
    {
        var root = new RootCommand { BenchCommand.Create() };
        return root.Parse(args).InvokeAsync();
    }
}
