using Frugal.Inference.State;
using Frugal.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Frugal.DependencyInjection;

/// <summary>
/// The store of idle conversations' KV states, created on first use when <see cref="SessionStateOptions.Directory"/>
/// names a directory and the model file exists (a state only fits the model file that made it); none otherwise.
/// Under memory pressure the governor moves its RAM tier to disk through this releaser.
/// </summary>
internal sealed class SessionStateStoreProvider : IMemoryReleaser
{
    private readonly Lazy<TieredSessionStateStore?> _store;

    public SessionStateStoreProvider(IOptions<FrugalOptions> options, ILogger<TieredSessionStateStore>? logger = null) =>
        _store = new Lazy<TieredSessionStateStore?>(() => Create(options.Value, logger));

    /// <summary>The store, or null when states are not kept.</summary>
    public ISessionStateStore? Store => _store.Value;

    public string Name => "session-state";

    public long Release(MemoryPressureLevel level) => _store.IsValueCreated && _store.Value is { } store ? new SessionStateReleaser(store).Release(level) : 0;

    private static TieredSessionStateStore? Create(FrugalOptions options, ILogger<TieredSessionStateStore>? logger)
    {
        var states = options.SessionState;
        if (string.IsNullOrWhiteSpace(states.Directory) || !File.Exists(options.Model.Path))
        {
            return null;
        }

        return new TieredSessionStateStore(new TieredSessionStateStoreOptions
        {
            DataDirectory = states.Directory,
            ModelIdentity = ModelFileIdentity.Compute(options.Model.Path),
            MemoryBudget = states.MemoryBudget,
            DiskBudget = states.DiskBudget,
        }, logger);
    }
}
