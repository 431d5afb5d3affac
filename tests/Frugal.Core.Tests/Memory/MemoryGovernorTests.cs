using Frugal.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Frugal.Tests.Memory;

public sealed class MemoryGovernorTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private (MemoryGovernor Governor, FakeMemoryProbe Probe, RecordingReleaser Releaser) Create(MemoryGovernorOptions? options = null, params IMemoryReleaser[] more)
    {
        var probe = new FakeMemoryProbe(_time);
        var releaser = new RecordingReleaser("cache");
        var governor = new MemoryGovernor(probe, Options.Create(options ?? new MemoryGovernorOptions()), [releaser, .. more], _time);
        return (governor, probe, releaser);
    }

    [Theory]
    [InlineData(0, MemoryPressureLevel.Low)]
    [InlineData(749, MemoryPressureLevel.Low)]
    [InlineData(750, MemoryPressureLevel.Medium)]
    [InlineData(900, MemoryPressureLevel.High)]
    [InlineData(950, MemoryPressureLevel.Critical)]
    [InlineData(1200, MemoryPressureLevel.Critical)]
    public void Refresh_ShareOfLimit_GivesLevel(long residentPerMille, MemoryPressureLevel expected)
    {
        var (governor, probe, _) = Create();
        probe.AnonymousBytes = residentPerMille;

        Assert.Equal(expected, governor.Refresh().Level);
    }

    [Fact]
    public void Refresh_MappedModel_CountsTowardTheLevel()
    {
        var (governor, probe, _) = Create();
        probe.AnonymousBytes = 300;
        probe.ModelMappedBytes = 600;

        Assert.Equal(MemoryPressureLevel.High, governor.Refresh().Level);
    }

    [Fact]
    public void Refresh_FigureHoversBelowThreshold_StaysUntilHysteresisMarginIsCrossed()
    {
        var (governor, probe, _) = Create();
        probe.AnonymousBytes = 910;
        Assert.Equal(MemoryPressureLevel.High, governor.Refresh().Level);

        probe.AnonymousBytes = 880; // below 90% but within the 5% margin
        Assert.Equal(MemoryPressureLevel.High, governor.Refresh().Level);

        probe.AnonymousBytes = 849; // below 85%: leaves high; still above 75%
        Assert.Equal(MemoryPressureLevel.Medium, governor.Refresh().Level);

        probe.AnonymousBytes = 720; // within medium's margin
        Assert.Equal(MemoryPressureLevel.Medium, governor.Refresh().Level);

        probe.AnonymousBytes = 100;
        Assert.Equal(MemoryPressureLevel.Low, governor.Refresh().Level);
    }

    [Fact]
    public void Refresh_CustomThresholds_AreUsed()
    {
        var (governor, probe, _) = Create(new MemoryGovernorOptions { MediumThreshold = 0.5, HighThreshold = 0.6, CriticalThreshold = 0.7, Hysteresis = 0.01 });
        probe.AnonymousBytes = 650;

        Assert.Equal(MemoryPressureLevel.High, governor.Refresh().Level);
    }

    [Fact]
    public void Refresh_Thrashing_RaisesToHighEvenWithLowResidentShare()
    {
        var (governor, probe, _) = Create();
        probe.AnonymousBytes = 100;
        probe.Stall = 55;

        var status = governor.Refresh();

        Assert.True(status.Thrashing);
        Assert.Equal(MemoryPressureLevel.High, status.Level);
    }

    [Fact]
    public void Refresh_MajorFaultRateAboveThreshold_CountsAsThrashing()
    {
        var (governor, probe, _) = Create();
        probe.AnonymousBytes = 100;
        governor.Refresh();
        _time.Advance(TimeSpan.FromSeconds(2));
        probe.MajorPageFaults = 20_000; // 10,000 per second

        var status = governor.Refresh();

        Assert.Equal(10_000, status.MajorFaultsPerSecond);
        Assert.Equal(MemoryPressureLevel.High, status.Level);
    }

    [Fact]
    public void Refresh_LevelRises_CallsEveryReleaserOnceWithTheLevelEvenIfOneThrows()
    {
        var failing = new RecordingReleaser("broken", throws: true);
        var (governor, probe, releaser) = Create(null, failing);
        probe.AnonymousBytes = 800;
        governor.Refresh();
        governor.Refresh(); // no change, no second release
        probe.AnonymousBytes = 960;
        governor.Refresh();
        probe.AnonymousBytes = 100;
        governor.Refresh(); // falling releases nothing

        Assert.Equal([MemoryPressureLevel.Medium, MemoryPressureLevel.Critical], releaser.Calls);
        Assert.Equal([MemoryPressureLevel.Medium, MemoryPressureLevel.Critical], failing.Calls);
    }

    [Fact]
    public void Refresh_High_RestrictsRepliesHistoryAndQueue()
    {
        var (governor, probe, _) = Create();
        probe.AnonymousBytes = 920;

        var status = governor.Refresh();

        Assert.False(status.EmergencyMode);
        Assert.Equal(128, status.Restrictions.ReplyTokenCap);
        Assert.Equal(2, status.Restrictions.HistoryExchanges);
        Assert.Equal(0.5, status.Restrictions.QueueDepthFactor);
        Assert.False(status.Restrictions.RefuseNewGenerations);
        Assert.Equal(["reply_tokens_cap=128", "history_exchanges=2", "queue_depth_factor=0.5"], status.Restrictions.Describe());
    }

    [Fact]
    public void CheckAdmission_Critical_RefusesWithRetryAfter()
    {
        var (governor, probe, _) = Create(new MemoryGovernorOptions { RetryAfter = TimeSpan.FromSeconds(7) });
        probe.AnonymousBytes = 970;

        var admission = governor.CheckAdmission();

        Assert.False(admission.Admitted);
        Assert.True(admission.Status.EmergencyMode);
        Assert.Equal("critical", admission.Status.LevelName);
        Assert.Equal(TimeSpan.FromSeconds(7), admission.RetryAfter);
        Assert.Contains("critical", admission.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckAdmission_RequestWouldCrossTheLimit_RefusesWithReason()
    {
        var (governor, probe, _) = Create();
        probe.LimitBytes = 1000L * 1024 * 1024;
        probe.AnonymousBytes = 700L * 1024 * 1024;

        var refused = governor.CheckAdmission(additionalResidentBytes: 300L * 1024 * 1024);
        var admitted = governor.CheckAdmission(additionalResidentBytes: 100L * 1024 * 1024);

        Assert.False(refused.Admitted);
        Assert.Contains("300 MiB", refused.Reason, StringComparison.Ordinal);
        Assert.True(admitted.Admitted);
        Assert.Null(admitted.Reason);
    }

    [Fact]
    public void CheckAdmission_ReadsTheProbeEachTime()
    {
        var (governor, probe, _) = Create();
        probe.AnonymousBytes = 970;
        Assert.False(governor.CheckAdmission().Admitted);

        probe.AnonymousBytes = 100;

        Assert.True(governor.CheckAdmission().Admitted);
    }

    [Fact]
    public void Start_TimerTicks_RefreshesEveryInterval()
    {
        var (governor, probe, _) = Create(new MemoryGovernorOptions { RefreshInterval = TimeSpan.FromSeconds(2) });
        using (governor)
        {
            governor.Start();
            var first = probe.Reads;
            probe.AnonymousBytes = 960;
            _time.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(first + 1, probe.Reads);
            Assert.Equal(MemoryPressureLevel.Critical, governor.Current.Level);

            _time.Advance(TimeSpan.FromSeconds(4));
            Assert.Equal(first + 3, probe.Reads);
        }
    }

    [Fact]
    public void Constructor_ThresholdsOutOfOrder_Throws()
    {
        var probe = new FakeMemoryProbe(_time);
        var options = Options.Create(new MemoryGovernorOptions { MediumThreshold = 0.9, HighThreshold = 0.8 });

        var e = Assert.Throws<OptionsValidationException>(() => new MemoryGovernor(probe, options, [], _time));

        Assert.Contains("must rise", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refresh_HighThresholdZero_AlwaysAtLeastHigh()
    {
        var (governor, probe, _) = Create(new MemoryGovernorOptions { MediumThreshold = 0, HighThreshold = 0, CriticalThreshold = 1.5 });
        probe.AnonymousBytes = 1;

        Assert.Equal(MemoryPressureLevel.High, governor.Refresh().Level);
    }

    [Fact]
    public void LevelChanged_Raised_OnEachTransitionOnly()
    {
        var (governor, probe, _) = Create();
        var seen = new List<MemoryPressureLevel>();
        governor.LevelChanged += (_, status) => seen.Add(status.Level);

        foreach (var resident in new long[] { 100, 800, 800, 960, 100 })
        {
            probe.AnonymousBytes = resident;
            governor.Refresh();
        }

        Assert.Equal([MemoryPressureLevel.Medium, MemoryPressureLevel.Critical, MemoryPressureLevel.Low], seen);
    }
}
