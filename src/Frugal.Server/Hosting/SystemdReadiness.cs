using Frugal.Inference;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Frugal.Server.Hosting;

/// <summary>
/// Under systemd (<c>Type=notify</c>): READY=1 once the model is loaded and the port is open (whichever comes last: on
/// one core a small model loads before the server listens), so <c>systemctl start frugal</c> returns when chats can be
/// answered; STOPPING=1 on shutdown. A model that fails
/// to load still reports ready, with the reason as the unit's status line (the server stays up and /ready says why).
/// </summary>
internal sealed class SystemdReadiness(ISystemdNotifier notifier, EngineReadiness readiness, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string status;
        try
        {
            var engine = await readiness.WhenLoaded.WaitAsync(stoppingToken).ConfigureAwait(false);
            status = $"STATUS=serving {Path.GetFileName(engine.Model.Path)}";
        }
        catch (OperationCanceledException)
        {
            return;
        }
#pragma warning disable CA1031 // The failure is the status line; EngineLoader already logged it.
        catch (Exception)
#pragma warning restore CA1031
        {
            status = $"STATUS=model failed to load: {readiness.FailureReason}";
        }

        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => listening.TrySetResult()))
        {
            try
            {
                await listening.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        notifier.Notify(new ServiceState(status.ReplaceLineEndings(" ")));
        notifier.Notify(ServiceState.Ready);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        notifier.Notify(ServiceState.Stopping);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }
}
