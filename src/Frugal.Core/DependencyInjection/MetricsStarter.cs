using Frugal.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Frugal.DependencyInjection;

/// <summary>Creates the metrics at start, so their instruments exist before the first measurement (and the first scrape).</summary>
internal sealed class MetricsStarter(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<FrugalMetrics>();
        services.GetService<MemoryGovernorMetrics>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
