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

/// <summary>Registers the memory governor and puts it in front of the scheduler.</summary>
public static class MemoryGovernorServiceCollectionExtensions
{
    /// <summary>
    /// Adds the probe, the governor (options validated at start, section <see cref="MemoryGovernorOptions.SectionName"/>),
    /// the managed-heap releaser, its gauges (<see cref="MemoryGovernorMetrics"/>), and the <see cref="MemoryGate"/> through which
    /// the <see cref="ChatPipeline"/> admits every request (in any order with the other registrations). Other components
    /// add their own <see cref="IMemoryReleaser"/> registrations. The host starts the timer with
    /// <see cref="MemoryGovernor.Start"/>.
    /// </summary>
    public static IServiceCollection AddFrugalMemoryGovernor(this IServiceCollection services, Action<MemoryGovernorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<MemoryGovernorOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemoryGovernorOptions>, MemoryGovernorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMemoryProbe>(_ => new MemoryProbe());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMemoryReleaser, ManagedHeapReleaser>());
        services.TryAddSingleton(provider =>
        {
            var readiness = provider.GetService<EngineReadiness>();
            return new MemoryGovernor(
                provider.GetRequiredService<IMemoryProbe>(),
                provider.GetRequiredService<IOptions<MemoryGovernorOptions>>(),
                provider.GetServices<IMemoryReleaser>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetService<ILogger<MemoryGovernor>>())
            {
                ModelMappedBytesSource = () => readiness?.Engine?.Model.TensorDataBytes ?? 0,
            };
        });
        services.TryAddSingleton(provider => new MemoryGovernorMetrics(provider.GetRequiredService<MemoryGovernor>(), provider.GetService<IMeterFactory>()));
        services.AddHostedService<MemoryGovernorStarter>();

        services.TryAddSingleton(provider => new MemoryGate(provider.GetRequiredService<MemoryGovernor>()));
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
