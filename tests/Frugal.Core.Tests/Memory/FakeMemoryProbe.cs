using Frugal.Memory;

namespace Frugal.Tests.Memory;

/// <summary>A probe whose reading the test sets: a 1000-byte limit, so resident bytes read as per mille.</summary>
internal sealed class FakeMemoryProbe(TimeProvider timeProvider) : IMemoryProbe
{
    public long LimitBytes { get; set; } = 1000;

    public long AnonymousBytes { get; set; }

    public long MajorPageFaults { get; set; }

    public double? Stall { get; set; }

    public int Reads { get; private set; }

    public long ModelMappedBytes { get; set; }

    public MemorySnapshot Read()
    {
        Reads++;
        return new MemorySnapshot
        {
            Timestamp = timeProvider.GetUtcNow(),
            Source = CgroupVersion.V2,
            LimitBytes = LimitBytes,
            UsageBytes = AnonymousBytes + ModelMappedBytes,
            AnonymousBytes = AnonymousBytes,
            PageCacheBytes = 0,
            ModelMappedBytes = ModelMappedBytes,
            MajorPageFaults = MajorPageFaults,
            StallSomeAvg10 = Stall,
        };
    }
}
