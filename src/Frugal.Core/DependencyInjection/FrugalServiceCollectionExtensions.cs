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
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Frugal.DependencyInjection;

/// <summary>
/// The one composition root of Frugal's generation stack, for the HTTP server and for in-process hosts alike:
/// the model (loaded in the background), its scheduler, an <see cref="IChatClient"/>, conversations, metrics.
/// </summary>
public static class FrugalServiceCollectionExtensions
{
    /// <summary>
    /// Runs the model in-process with the options bound from <paramref name="configuration"/>'s sections
    /// (<see cref="FrugalOptions.SectionNames"/>: <c>Model</c>, <c>Scheduler</c>, <c>Memory</c>, <c>SessionState</c>,
    /// <c>ResponseCache</c>). A key no option has is an error, like a value out of range: both fail the start.
    /// </summary>
    public static IServiceCollection AddFrugal(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<FrugalOptions>().Configure(options => Bind(configuration, options));
        return services.AddFrugalStack();
    }

    /// <summary>
    /// Runs the model in-process: loads it in the background when the host starts (see
    /// <see cref="EngineReadiness"/>), schedules generations fairly (<see cref="IGenerationScheduler"/>), and
    /// offers them as an <see cref="IChatClient"/> and, when the application registers an
    /// <see cref="IConversationStore"/>, as a <see cref="ConversationService"/>. Add
    /// <see cref="MemoryGovernorServiceCollectionExtensions.AddFrugalMemoryGovernor"/> (before or after) to have the
    /// memory governor admit every request. The options are validated when the host starts.
    /// </summary>
    public static IServiceCollection AddFrugal(this IServiceCollection services, Action<FrugalOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<FrugalOptions>().Configure(configure);
        return services.AddFrugalStack();
    }

    private static IServiceCollection AddFrugalStack(this IServiceCollection services)
    {
        services.AddOptions<FrugalOptions>().ValidateOnStart();
        if (services.Any(d => d.ServiceType == typeof(EnginePlanner)))
        {
            return services; // added before: the options above are configured once more, nothing else twice
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FrugalOptions>, FrugalOptionsValidator>());
        // The parts read their own section of the one validated tree.
        services.AddSingleton<IOptions<SchedulerOptions>>(provider => Options.Create(provider.Frugal().Scheduler));
        services.AddSingleton<IOptions<MemoryGovernorOptions>>(provider => Options.Create(provider.Frugal().Memory));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMemoryProbe>(_ => new MemoryProbe());
        services.TryAddSingleton<EngineReadiness>();
        services.AddSingleton<EnginePlanner>();
        services.AddSingleton<SessionStateStoreProvider>();
        services.AddSingleton(provider => new ResponseCache(provider.Frugal().ResponseCache));

        // Under memory pressure the governor, when there is one, empties the cache and moves kept states to disk.
        services.AddSingleton<IMemoryReleaser>(provider => provider.GetRequiredService<ResponseCache>());
        services.AddSingleton<IMemoryReleaser>(provider => provider.GetRequiredService<SessionStateStoreProvider>());
        services.AddHostedService<FrugalEngineLoader>();
        services.TryAddSingleton(provider => new FrugalMetrics(provider.GetService<IMeterFactory>(), provider.GetRequiredService<IMemoryProbe>(), provider.GetRequiredService<EngineReadiness>()));
        services.AddHostedService<MetricsStarter>();
        services.TryAddSingleton<IGenerationScheduler>(CreateScheduler);
        // Every request, from any edge, is validated, admitted (by the memory gate when the governor was added) and scheduled here.
        services.TryAddSingleton(provider => new ChatPipeline(
            provider.GetRequiredService<IGenerationScheduler>(),
            provider.GetRequiredService<EngineReadiness>(),
            provider.GetRequiredService<IOptions<SchedulerOptions>>(),
            provider.GetService<MemoryGate>(),
            provider.GetService<UserRateLimiter>()));
        services.TryAddSingleton<IChatClient>(provider => new FrugalChatClient(provider.GetRequiredService<ChatPipeline>()));
        services.TryAddSingleton(provider => provider.Frugal().Conversations);
        services.TryAddSingleton<ConversationService>();
        return services;
    }

    /// <summary>
    /// Limits each user's requests and tokens per minute (<see cref="FrugalOptions.RateLimits"/>, section
    /// <see cref="RateLimitOptions.SectionName"/>) in the <see cref="ChatPipeline"/>, before or after <c>AddFrugal</c>.
    /// A multi-user host adds it (<c>frugal serve</c> does); an in-process host whose calls are all one user's may not want it.
    /// </summary>
    public static IServiceCollection AddFrugalRateLimits(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new UserRateLimiter(
            Options.Create(provider.Frugal().RateLimits),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<FrugalMetrics>()));
        return services;
    }

    private static IGenerationScheduler CreateScheduler(IServiceProvider provider) => new GenerationScheduler(
        provider.GetRequiredService<EngineReadiness>().GetEngine,
        provider.GetRequiredService<IOptions<SchedulerOptions>>(),
        provider.GetRequiredService<FrugalMetrics>(),
        provider.GetRequiredService<TimeProvider>(),
        provider.GetService<ILogger<GenerationScheduler>>());

    private static void Bind(IConfiguration configuration, FrugalOptions options)
    {
        configuration.GetSection(ModelOptions.SectionName).Bind(options.Model, Strict);
        configuration.GetSection(SchedulerOptions.SectionName).Bind(options.Scheduler, Strict);
        configuration.GetSection(MemoryGovernorOptions.SectionName).Bind(options.Memory, Strict);
        configuration.GetSection(SessionStateOptions.SectionName).Bind(options.SessionState, Strict);
        configuration.GetSection(ResponseCacheOptions.SectionName).Bind(options.ResponseCache, Strict);
        configuration.GetSection(ConversationLimits.SectionName).Bind(options.Conversations, Strict);
        configuration.GetSection(RateLimitOptions.SectionName).Bind(options.RateLimits, Strict);
    }

    // A misspelt key is an error, not a silently ignored setting.
    private static void Strict(BinderOptions binder) => binder.ErrorOnUnknownConfiguration = true;

    private static FrugalOptions Frugal(this IServiceProvider provider) => provider.GetRequiredService<IOptions<FrugalOptions>>().Value;
}
