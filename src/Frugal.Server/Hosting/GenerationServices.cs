using System.Diagnostics.Metrics;
using Frugal.DependencyInjection;
using Frugal.Diagnostics;
using Frugal.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Frugal.Server.Hosting;

/// <summary>The server's generation services: the scheduler and its limits, metrics and their Prometheus collector.</summary>
public static class GenerationServices
{
    /// <summary>
    /// Registers the scheduler (queue depth and time limit from <paramref name="options"/>), the
    /// <c>IChatClient</c>, metrics, and the collector behind <c>/metrics</c>, created at start so it
    /// counts from the first request.
    /// </summary>
    public static IServiceCollection AddFrugalServerGeneration(this IServiceCollection services, FrugalServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.Configure<SchedulerOptions>(scheduler =>
        {
            scheduler.MaxQueueDepth = options.QueueDepth;
            // No timeout given: the documented default (serve --help), not a day.
            scheduler.MaxGenerationTime = options.RequestTimeout ?? SchedulerOptions.DefaultMaxGenerationTime;
        });
        services.AddFrugalGeneration();
        services.AddFrugalMemoryGovernor(options.Memory.CopyTo); // admission, caps and emergency mode in front of every request
        services.AddSingleton(provider => new PrometheusMetricsCollector([FrugalMetrics.MeterName], provider.GetService<IMeterFactory>()));
        services.AddHostedService<MetricsCollectorStarter>();
        return services;
    }

    // Resolving the collector at start makes it listen before the first measurement.
    private sealed class MetricsCollectorStarter(PrometheusMetricsCollector collector, FrugalMetrics metrics, MemoryGovernorMetrics memoryMetrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(collector);
            GC.KeepAlive(metrics);
            GC.KeepAlive(memoryMetrics);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
