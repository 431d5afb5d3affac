using System.Text.Json;

namespace Frugal.Tests.Runtime;

/// <summary>The GC settings chosen for the small box (bench/RESULTS.md, "Memory: GC settings") reach the built executable.</summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void RuntimeConfig_BuiltFrugal_WorkstationNonConcurrentConservingGC()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "frugal.runtimeconfig.json");

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var properties = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
        Assert.False(properties.GetProperty("System.GC.Concurrent").GetBoolean());
        Assert.Equal(5, properties.GetProperty("System.GC.ConserveMemory").GetInt32());
        Assert.False(properties.TryGetProperty("System.GC.HeapHardLimit", out _));
    }
}
