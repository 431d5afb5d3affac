using Frugal.Caching;
using Frugal.Inference;
using Frugal.Inference.State;
using Frugal.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Frugal.DependencyInjection;

/// <summary>
/// Loads the model in the background once the host has started, so the application starts at once;
/// the outcome (engine or reason) goes to <see cref="EngineReadiness"/>. Requests before that are
/// refused with <see cref="EngineNotReadyException"/>.
/// </summary>
internal sealed partial class FrugalEngineLoader(
    IOptions<FrugalOptions> options,
    EngineReadiness readiness,
    ResponseCache responseCache,
    ILoggerFactory loggerFactory) : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<FrugalEngineLoader>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var settings = options.Value;
        var engineOptions = new EngineOptions
        {
            ModelPath = settings.ModelPath,
            ContextSize = settings.ContextSize,
            Threads = settings.Threads,
            ChatTemplate = settings.ChatTemplate,
        };
        try
        {
            if (settings.StateDirectory is { Length: > 0 } directory)
            {
                engineOptions = engineOptions with
                {
                    SessionStateStore = new TieredSessionStateStore(new TieredSessionStateStoreOptions
                    {
                        DataDirectory = directory,
                        ModelIdentity = ModelFileIdentity.Compute(settings.ModelPath),
                    }, loggerFactory.CreateLogger<TieredSessionStateStore>()),
                };
            }

            IInferenceEngine engine = await LlamaEngine.LoadAsync(engineOptions, loggerFactory.CreateLogger<LlamaEngine>(), stoppingToken).ConfigureAwait(false);
            if (responseCache.MaxBytes > 0)
            {
                engine = new CachingInferenceEngine(engine, responseCache);
            }

            readiness.SetLoaded(engine);
            LogLoaded(_logger, Path.GetFileName(settings.ModelPath), engine.ContextSize);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host stops while the model loads: nothing to report.
        }
        catch (ModelFileException e)
        {
            readiness.SetFailed(e.Message);
            LogFailed(_logger, e.Message, null);
        }
#pragma warning disable CA1031 // Any load failure is recorded as the readiness reason; the application keeps running and says why.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var reason = $"{e.GetType().Name}: {e.Message}";
            readiness.SetFailed(reason);
            LogFailed(_logger, reason, e);
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Model {Model} loaded; context {ContextSize} tokens")]
    private static partial void LogLoaded(ILogger logger, string model, int contextSize);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Error, Message = "The model failed to load: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason, Exception? exception);
}
