using System.Diagnostics.Metrics;
using Frugal.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Frugal.Server.Diagnostics;

/// <summary>Registers the collector behind <c>GET /metrics</c>.</summary>
public static class PrometheusServiceCollectionExtensions
{
    /// <summary>Adds the Prometheus collector of Frugal's meter, created at start so it counts from the first request.</summary>
    public static IServiceCollection AddFrugalPrometheus(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(provider => new PrometheusMetricsCollector([FrugalMetrics.MeterName], provider.GetService<IMeterFactory>()));
        services.AddHostedService<CollectorStarter>();
        return services;
    }

    // Resolving the collector at start makes it listen before the first measurement.
    private sealed class CollectorStarter(PrometheusMetricsCollector collector) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(collector);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
