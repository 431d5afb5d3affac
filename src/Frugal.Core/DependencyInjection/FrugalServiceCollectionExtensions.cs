using System.Diagnostics.Metrics;
using Frugal.AI;
using Frugal.Caching;
using Frugal.Conversations;
using Frugal.Diagnostics;
using Frugal.Inference;
using Frugal.Memory;
using Frugal.Requests;
using Frugal.Scheduling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Frugal.DependencyInjection;

/// <summary>Registers Frugal in an application's container: the model, its scheduler, an <see cref="IChatClient"/>, conversations.</summary>
public static class FrugalServiceCollectionExtensions
{
    /// <summary>
    /// Runs the model in-process: loads it in the background when the host starts (see
    /// <see cref="EngineReadiness"/>), schedules generations fairly on one worker
    /// (<see cref="IGenerationScheduler"/>), and offers them as an <see cref="IChatClient"/> and, when the
    /// application registers an <see cref="IConversationStore"/>, as a <see cref="ConversationService"/>.
    /// The options are validated when the host starts: a bad value fails the start, not the first request.
    /// </summary>
    public static IServiceCollection AddFrugal(this IServiceCollection services, Action<FrugalOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<FrugalOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FrugalOptions>, FrugalOptionsValidator>());
        services.AddOptions<SchedulerOptions>().Configure<IOptions<FrugalOptions>>((scheduler, frugal) =>
        {
            scheduler.MaxQueueDepth = frugal.Value.MaxQueueDepth;
            scheduler.MaxGenerationTime = frugal.Value.MaxGenerationTime;
        });
        services.TryAddSingleton<EngineReadiness>();
        services.TryAddSingleton(provider => new ResponseCache(new ResponseCacheOptions
        {
            MaxBytes = provider.GetRequiredService<IOptions<FrugalOptions>>().Value.ResponseCacheSize,
        }));

        // Under memory pressure a governor, when the application adds one, may empty the cache.
        services.AddSingleton<IMemoryReleaser>(provider => provider.GetRequiredService<ResponseCache>());
        services.AddHostedService<FrugalEngineLoader>();
        return services.AddFrugalGeneration();
    }

    /// <summary>
    /// Registers what runs generations on an <see cref="EngineReadiness"/> that someone else fills (the
    /// HTTP server loads the model itself): memory figures, metrics, the scheduler (configured through
    /// <see cref="SchedulerOptions"/>), the <see cref="IChatClient"/> and the <see cref="ConversationService"/>.
    /// Registrations already made are kept.
    /// </summary>
    public static IServiceCollection AddFrugalGeneration(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<SchedulerOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EngineReadiness>();
        services.TryAddSingleton<IMemoryProbe>(_ => new MemoryProbe());
        services.TryAddSingleton(provider => new FrugalMetrics(provider.GetService<IMeterFactory>(), provider.GetRequiredService<IMemoryProbe>()));
        services.TryAddSingleton<IGenerationScheduler>(provider => new GenerationScheduler(
            provider.GetRequiredService<EngineReadiness>().GetEngine,
            provider.GetRequiredService<IOptions<SchedulerOptions>>(),
            provider.GetRequiredService<FrugalMetrics>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<ILogger<GenerationScheduler>>()));
        services.TryAddSingleton(provider => new ChatPipeline(
            provider.GetRequiredService<IGenerationScheduler>(),
            provider.GetRequiredService<EngineReadiness>(),
            provider.GetRequiredService<IOptions<SchedulerOptions>>(),
            provider.GetService<MemoryGate>()));
        services.TryAddSingleton<IChatClient>(provider => new FrugalChatClient(provider.GetRequiredService<ChatPipeline>()));
        services.TryAddSingleton<ConversationService>();
        return services;
    }
}
