using System.Text.Json;
using Frugal.Cli.Monitor;
using Frugal.Memory;
using Frugal.Server.Contracts;

namespace Frugal.Tests.Monitor;

public sealed class StatusClientTests
{
    [Fact]
    public void Parse_ServerStatus_ReadsMemoryQueueAndPressure()
    {
        var status = new ServerStatus
        {
            Model = "m",
            ModelPath = "/m.gguf",
            ModelFileSizeBytes = 1,
            Quantization = "Q8_0",
            ContextSize = 2048,
            ModelLoaded = true,
            LoadState = "loaded",
            LoadError = null,
            Memory = new MemoryFigures(2147483648, 1900000000, 214748365, 1300000000)
            {
                ResidentBytes = 1932735283,
                ProcessRssAnonymousBytes = 200000000,
                ProcessRssFileBytes = 1100000000,
            },
            MemoryPressure = "high",
            EmergencyMode = false,
            MemoryRestrictions = ["reply_tokens_cap=128"],
            QueueDepth = 3,
            ActiveGenerations = 1,
            RecentPromptTokensPerSecond = 47.5,
            RecentDecodeTokensPerSecond = 14.2,
            UptimeSeconds = 5,
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(status, OpenAIJsonContext.Default.ServerStatus);

        var sample = StatusClient.Parse(body, "http://127.0.0.1:8080/", DateTimeOffset.UnixEpoch);

        Assert.Equal("high", sample.MemoryPressure);
        Assert.False(sample.EmergencyMode);
        Assert.Equal(["reply_tokens_cap=128"], sample.Restrictions);
        Assert.Equal(2147483648, sample.LimitBytes);
        Assert.Equal(0.9, sample.PressureRatio!.Value, precision: 3);
        Assert.Equal(200000000, sample.ProcessRssAnonymousBytes);
        Assert.Equal(3, sample.QueueDepth);
        Assert.Equal(14.2, sample.DecodeTokensPerSecond);
    }

    [Fact]
    public void Parse_NotAServerStatus_Throws()
    {
        Assert.Throws<JsonException>(() => StatusClient.Parse("""{"memory":{"limit_bytes":1000,"used_bytes":500},"queue_depth":0}"""u8, "x", DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Write_LocalSample_IsOneJsonObjectWithTheFigures()
    {
        using var sampler = new LocalSampler(new MemoryProbe());
        using var buffer = new MemoryStream();

        MonitorSampleJson.Write(sampler.Sample(), buffer);

        using var json = JsonDocument.Parse(buffer.ToArray());
        var root = json.RootElement;
        Assert.Equal("local", root.GetProperty("source").GetString());
        Assert.Contains(root.GetProperty("memory_pressure").GetString(), new[] { "low", "medium", "high", "critical" });
        Assert.True(root.GetProperty("limit_bytes").GetInt64() > 0);
        Assert.True(root.GetProperty("process_rss_bytes").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("queue_depth").ValueKind);
    }
}
