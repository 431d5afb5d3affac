namespace Frugal.Tests.Scheduling;

/// <summary>The scheduler tests: a <see cref="TinyEngineFixture"/> of their own, so they run beside the inference tests.</summary>
[CollectionDefinition(Name)]
public sealed class SchedulerEngineCollection : ICollectionFixture<TinyEngineFixture>
{
    public const string Name = "scheduler engine";
}
