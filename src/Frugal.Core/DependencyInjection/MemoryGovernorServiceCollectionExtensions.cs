using System.Diagnostics.Metrics;
using Frugal.Diagnostics;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Frugal.DependencyInjection;

/// <summary>Adds the memory governor, through which the request pipeline that <c>AddFrugal</c> registers admits every request.</summary>
public static class MemoryGovernorServiceCollectionExtensions
{
    /// <summary>
    /// Adds the governor (settings: <see cref="FrugalOptions.Memory"/>, section <see cref="MemoryGovernorOptions.SectionName"/>),
    /// the managed-heap releaser, its gauges (<see cref="MemoryGovernorMetrics"/>) and the <see cref="MemoryGate"/> through which
    /// the <see cref="ChatPipeline"/> admits every request (caps, refusals, emergency mode). Before or after
    /// <c>AddFrugal</c>, in any order. Other components add their own <see cref="IMemoryReleaser"/> registrations.
    /// The governor's timer runs while the host runs.
    /// </summary>
    public static IServiceCollection AddFrugalMemoryGovernor(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(MemoryGovernor)))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMemoryProbe>(_ => new MemoryProbe());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMemoryReleaser, ManagedHeapReleaser>());
        services.AddSingleton(provider =>
        {
            var readiness = provider.GetService<EngineReadiness>();
            return new MemoryGovernor(
                provider.GetRequiredService<IMemoryProbe>(),
                provider.GetRequiredService<IOptions<MemoryGovernorOptions>>(),
                provider.GetServices<IMemoryReleaser>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetService<ILogger<MemoryGovernor>>())
            {
                // The mapped weights the engine computes with: a repacked matrix's pages are not among them (its
                // anonymous copy already counts).
                ModelMappedBytesSource = () => readiness?.Engine?.Model is { } model ? model.TensorDataBytes - model.RepackedTensorBytes : 0,
            };
        });
        services.TryAddSingleton(provider => new MemoryGovernorMetrics(provider.GetRequiredService<MemoryGovernor>(), provider.GetService<IMeterFactory>()));
        services.TryAddSingleton(provider => new MemoryGate(provider.GetRequiredService<MemoryGovernor>()));
        services.AddHostedService<MemoryGovernorStarter>();
        return services;
    }

    // Starts the governor's timer with the host and stops it with the host.
    private sealed class MemoryGovernorStarter(MemoryGovernor governor) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            governor.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            governor.Dispose();
            return Task.CompletedTask;
        }
    }
}
