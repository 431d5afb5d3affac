using Frugal.Bench.Capacity;

namespace Frugal.Bench.Tests;

/// <summary>The arguments a bench inside a box is started with: the same request, flag by flag.</summary>
public sealed class BenchSettingsTests
{
    [Fact]
    public void Arguments_OnlyTheModel_GivesModelAndContext()
    {
        var settings = new BenchSettings("/m/model.gguf", null, null, 2048, Quick: false);

        Assert.Equal(["bench", "--model", "/m/model.gguf", "--ctx", "2048"], settings.Arguments());
    }

    [Fact]
    public void Arguments_EverySetting_RepeatsEachInOrder()
    {
        var settings = new BenchSettings("/m/model.gguf", "/out/r.json", "/out/r.md", 1024, Quick: true)
        {
            QuickProfile = true,
            Repack = false,
            NativeLibrary = "avx2",
            Verbose = true,
            FlashAttention = true,
            KvRam = ByteSize.Parse("64m"),
            Capacity = new CapacityOptions { UserCounts = [2, 4], Window = TimeSpan.FromMinutes(1.5), Compression = 2.5 },
            Overrides = new Dictionary<string, int> { ["--rounds"] = 3 },
        };

        Assert.Equal(
            [
                "bench", "--model", "/m/model.gguf", "--ctx", "1024", "--json", "/out/r.json", "--markdown", "/out/r.md", "--quick",
                "--profile", "quick", "--repack", "off", "--native-library", "avx2", "--verbose", "--flash-attn", "on",
                "--kv-ram", "67108864", "--capacity", "--users", "2,4", "--capacity-minutes", "1.5", "--compress", "2.5",
                "--rounds", "3",
            ],
            settings.Arguments());
    }

    [Fact]
    public void Arguments_LongChatProfileRepackOnFlashOff_SaysSo()
    {
        var settings = new BenchSettings("/m/model.gguf", null, null, 512, Quick: false)
        {
            LongChatProfile = true,
            Repack = true,
            FlashAttention = false,
        };

        Assert.Equal(
            ["bench", "--model", "/m/model.gguf", "--ctx", "512", "--profile", "long-chat", "--repack", "on", "--flash-attn", "off"],
            settings.Arguments());
    }
}
