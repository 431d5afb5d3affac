using Frugal.Memory;
using Microsoft.Extensions.Options;

namespace Frugal.Cli.Monitor;

/// <summary>Samples this machine with the same probe and levels the server uses.</summary>
internal sealed class LocalSampler(IMemoryProbe probe) : IDisposable
{
    private readonly MemoryGovernor _governor = new(probe, Options.Create(new MemoryGovernorOptions()), [], TimeProvider.System);

    public MonitorSample Sample()
    {
        var status = _governor.Refresh();
        var s = status.Snapshot;
        return new MonitorSample
        {
            Timestamp = s.Timestamp,
            Source = "local",
            MemoryPressure = status.LevelName,
            EmergencyMode = status.EmergencyMode,
            Restrictions = status.Restrictions.Describe(),
            LimitBytes = s.LimitBytes,
            UsedBytes = s.UsageBytes,
            ResidentBytes = s.ResidentRequiredBytes,
            AvailableBytes = s.AvailableBytes,
            ProcessRssBytes = s.ProcessRssBytes,
            ProcessRssAnonymousBytes = s.ProcessRssAnonymousBytes,
            ProcessRssFileBytes = s.ProcessRssFileBytes,
            StallPercent = s.StallSomeAvg10,
        };
    }

    public void Dispose() => _governor.Dispose();
}
