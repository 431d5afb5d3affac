namespace Frugal.Tests.Contract;

/// <summary>A contract test class: a fresh location per test (xunit makes one instance per test), opened before it runs.</summary>
public abstract class StoreContractBase(Func<IStoreLocation> createLocation) : IAsyncLifetime
{
    private StoreHandle? _store;

    protected IStoreLocation Location { get; } = createLocation();

    /// <summary>Makes another fresh location (dispose it), e.g. one nobody has opened yet.</summary>
    protected Func<IStoreLocation> CreateLocation { get; } = createLocation;

    protected StoreHandle Store => _store ?? throw new InvalidOperationException("Not initialized.");

    public async ValueTask InitializeAsync() => _store = await Location.OpenAsync();

    public async ValueTask DisposeAsync() => await Location.DisposeAsync();
}
