using System.Diagnostics.Metrics;
using Frugal.Diagnostics;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Scheduling;
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
    /// the managed-heap releaser, its gauges (<see cref="MemoryGovernorMetrics"/>), and wraps the registered <see cref="IGenerationScheduler"/> in a
    /// <see cref="MemoryGovernedScheduler"/>. Call after the scheduler is registered. Other components
    /// add their own <see cref="IMemoryReleaser"/> registrations. The host starts the timer with
    /// <see cref="MemoryGovernor.Start"/>.
    /// </summary>
    public static IServiceCollection AddFrugalMemoryGovernor(this IServiceCollection services, int maxQueueDepth, Action<MemoryGovernorOptions>? configure = null)
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

        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IGenerationScheduler))
            ?? throw new InvalidOperationException("Register the generation scheduler before the memory governor.");
        services.Remove(inner);
        services.AddSingleton<IGenerationScheduler>(provider =>
        {
            var scheduler = inner.ImplementationInstance as IGenerationScheduler
                ?? (IGenerationScheduler?)inner.ImplementationFactory?.Invoke(provider)
                ?? (IGenerationScheduler)ActivatorUtilities.CreateInstance(provider, inner.ImplementationType!);
            var readiness = provider.GetService<EngineReadiness>();
            return new MemoryGovernedScheduler(scheduler, provider.GetRequiredService<MemoryGovernor>(), () => readiness?.Engine?.Model, maxQueueDepth);
        });
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
