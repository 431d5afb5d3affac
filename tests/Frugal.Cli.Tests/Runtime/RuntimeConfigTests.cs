using System.Text.Json;

namespace Frugal.Tests.Runtime;

/// <summary>
/// The runtime settings chosen for the small box reach the built executable: the GC's (bench/RESULTS.md, "Memory: GC
/// settings"), and no JIT or thread-pool work beside the decode thread on its one core ("Seventeenth session").
/// </summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void RuntimeConfig_BuiltFrugal_WorkstationNonConcurrentConservingGC()
    {
        var properties = BuiltConfigProperties();

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.Equal(5, properties.GetProperty("System.GC.ConserveMemory").GetInt32());
        Assert.False(properties.TryGetProperty("System.GC.HeapHardLimit", out _));
    }

    [Fact]
    public void RuntimeConfig_BuiltFrugal_NoTieredRecompilationNoSpinningWorkers()
    {
        var properties = BuiltConfigProperties();

        Assert.False(properties.GetProperty("System.Runtime.TieredCompilation").GetBoolean());
        Assert.Equal(0, properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }

    /// <summary>The <c>configProperties</c> of the <c>frugal.runtimeconfig.json</c> built beside the tests.</summary>
    private static JsonElement BuiltConfigProperties()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "frugal.runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }
}
