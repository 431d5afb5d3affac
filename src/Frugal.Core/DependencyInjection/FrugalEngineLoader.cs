using System.Diagnostics;
using Frugal.Caching;
using Frugal.Inference;
using Frugal.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Frugal.DependencyInjection;

/// <summary>
/// Loads the model in the background once the host has started, so the application (and <c>/health</c>) answers
/// at once; the outcome (engine or reason) goes to <see cref="EngineReadiness"/>. Loads what the
/// <see cref="EnginePlanner"/> planned, with the kept-state store and the response cache in front when configured.
/// Requests before that are refused with <see cref="EngineNotReadyException"/>.
/// </summary>
internal sealed partial class FrugalEngineLoader(
    EnginePlanner planner,
    SessionStateStoreProvider sessionStates,
    EngineReadiness readiness,
    ResponseCache responseCache,
    ILoggerFactory loggerFactory) : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<FrugalEngineLoader>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Leave the start-up path at once: the host must not wait for the model.
        await Task.Yield();
        try
        {
            var plan = planner.Plan;
            if (plan.Refusal is { } refusal)
            {
                Fail(refusal, null);
                return;
            }

            LogLoading(_logger, plan.Engine.ModelPath);
            var stopwatch = Stopwatch.StartNew();
            var options = plan.Engine with { SessionStateStore = sessionStates.Store };
            IInferenceEngine engine = await LlamaEngine.LoadAsync(options, loggerFactory.CreateLogger<LlamaEngine>(), stoppingToken).ConfigureAwait(false);
            if (responseCache.MaxBytes > 0)
            {
                // Identical deterministic requests are answered from the cache.
                engine = new CachingInferenceEngine(engine, responseCache);
            }

            if (stoppingToken.IsCancellationRequested)
            {
                await engine.DisposeAsync().ConfigureAwait(false);
                return;
            }

            readiness.SetLoaded(engine);
            LogLoaded(_logger, Path.GetFileName(options.ModelPath), stopwatch.ElapsedMilliseconds, engine.Model.Architecture, engine.ContextSize);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host stops while the model loads: nothing to report.
        }
        catch (ModelFileException e)
        {
            Fail(e.Message, null);
        }
#pragma warning disable CA1031 // Any load failure is recorded as the readiness reason; the application keeps running and says why.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Fail($"{e.GetType().Name}: {e.Message}", e);
        }
    }

    private void Fail(string reason, Exception? exception)
    {
        readiness.SetFailed(reason);
        LogFailed(_logger, reason, exception);
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "Loading model {Path}")]
    private static partial void LogLoading(ILogger logger, string path);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Model {Model} loaded in {Milliseconds} ms ({Architecture}); context {ContextSize} tokens")]
    private static partial void LogLoaded(ILogger logger, string model, long milliseconds, string architecture, int contextSize);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Error, Message = "The model failed to load: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason, Exception? exception);
}
