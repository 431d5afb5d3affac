using System.Text.Json;
using Frugal.Cli.Monitor;
using Frugal.Memory;

namespace Frugal.Tests.Monitor;

public sealed class StatusClientTests
{
    [Fact]
    public void Parse_ServerStatus_ReadsMemoryQueueAndPressure()
    {
        var body = """
            {"model":"m","memory":{"limit_bytes":2147483648,"used_bytes":1900000000,"resident_bytes":1932735283,"available_bytes":214748365,
             "process_rss_bytes":1300000000,"process_rss_anonymous_bytes":200000000,"process_rss_file_bytes":1100000000},
             "queue_depth":3,"active_generations":1,"recent_prompt_tokens_per_second":47.5,"recent_decode_tokens_per_second":14.2,
             "memory_pressure":"high","emergency_mode":false,"memory_restrictions":["reply_tokens_cap=128"]}
            """u8;

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
    public void Parse_OlderServerWithoutPressureFields_LeavesThemNull()
    {
        var sample = StatusClient.Parse("""{"memory":{"limit_bytes":1000,"used_bytes":500},"queue_depth":0}"""u8, "x", DateTimeOffset.UnixEpoch);

        Assert.Null(sample.MemoryPressure);
        Assert.Null(sample.EmergencyMode);
        Assert.Equal(0.5, sample.PressureRatio);
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
