using System.Diagnostics;
using Frugal.Caching;
using Frugal.Inference;
using Frugal.Inference.State;
using Frugal.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Frugal.Server.Hosting;

/// <summary>
/// Loads the engine after the server has started listening, so <c>/health</c> answers at once and
/// <c>/ready</c> can say "loading" or why loading failed. The outcome goes to <see cref="EngineReadiness"/>.
/// </summary>
internal sealed class EngineLoader(
    FrugalServerOptions options,
    EngineReadiness readiness,
    ResponseCache responseCache,
    ILoggerFactory loggerFactory,
    ISessionStateStore? sessionStates = null) : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<EngineLoader>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Leave the start-up path at once: the host must not wait for the model.
        await Task.Yield();
        var factory = options.EngineFactory ?? LoadLlamaEngineAsync;
        if (options.EngineFactory is null && string.IsNullOrWhiteSpace(options.ModelPath))
        {
            Fail("no model file was given (--model FILE).", null);
            return;
        }

        Log.ModelLoading(_logger, options.ModelPath);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var engine = await factory(options, loggerFactory, stoppingToken).ConfigureAwait(false);
            if (responseCache.MaxBytes > 0)
            {
                // Identical deterministic requests are answered from the cache (issue 5 §3).
                engine = new CachingInferenceEngine(engine, responseCache);
            }

            if (stoppingToken.IsCancellationRequested)
            {
                await engine.DisposeAsync().ConfigureAwait(false);
                return;
            }

            readiness.SetLoaded(engine);
            Log.ModelLoaded(_logger, stopwatch.ElapsedMilliseconds, engine.Model.Architecture, engine.ContextSize);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down while loading: nothing to report.
        }
        catch (ModelFileException e)
        {
            Fail(e.Message, null);
        }
#pragma warning disable CA1031 // Any load failure becomes /ready's reason; the server stays up and says why.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Fail($"{e.GetType().Name}: {e.Message}", e);
        }
    }

    // The default: the LLamaSharp engine on ModelPath, memory-mapped, keeping idle sessions' KV state
    // in the registered ISessionStateStore when there is one.
    private async Task<IInferenceEngine> LoadLlamaEngineAsync(FrugalServerOptions server, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        await LlamaEngine.LoadAsync(new EngineOptions
        {
            ModelPath = server.ModelPath,
            ContextSize = server.ContextSize ?? 0,
            BatchSize = server.BatchSize ?? EngineOptions.DefaultBatchSize,
            MicroBatchSize = server.MicroBatchSize ?? 0,
            Threads = server.Threads ?? 0,
            ParallelSequences = server.ParallelSequences ?? (server.MaxAutoParallelSequences > 1 ? 0 : 1),
            MaxAutoParallelSequences = Math.Clamp(server.MaxAutoParallelSequences, 1, EngineOptions.MaxParallelSequences),
            ChatTemplate = server.ChatTemplate,
            SessionStateStore = sessionStates,
        }, loggers.CreateLogger<LlamaEngine>(), cancellationToken).ConfigureAwait(false);

    private void Fail(string reason, Exception? exception)
    {
        readiness.SetFailed(reason);
        Log.ModelFailed(_logger, reason, exception);
    }
}
