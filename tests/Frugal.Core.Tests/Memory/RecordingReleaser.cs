using Frugal.Memory;

namespace Frugal.Tests.Memory;

internal sealed class RecordingReleaser(string name, bool throws = false) : IMemoryReleaser
{
    public List<MemoryPressureLevel> Calls { get; } = [];

    public string Name => name;

    public long Release(MemoryPressureLevel level)
    {
        Calls.Add(level);
        return throws ? throw new InvalidOperationException("releaser failed") : 1024;
    }
}
