using Frugal.Requests;
using Frugal.Scheduling;

namespace Frugal.Server.Endpoints;

/// <summary>
/// A request the pipeline admitted, as every dialect's edge sees it: <see cref="StartAsync"/> runs the request
/// up to its admission (a full queue or a user's limit throws there, before any byte is sent), then the edge
/// either streams <see cref="RestAsync"/> or collects the whole reply (<see cref="CollectAsync"/>).
/// </summary>
internal sealed class AdmittedReply : IAsyncDisposable
{
    private readonly IAsyncEnumerator<ChatUpdate> _updates;

    private AdmittedReply(IAsyncEnumerator<ChatUpdate> updates, ChatAdmission admission)
    {
        _updates = updates;
        Admission = admission;
    }

    /// <summary>What admission decided (memory pressure, prompt size, history left out).</summary>
    public ChatAdmission Admission { get; }

    /// <summary>Runs <paramref name="request"/> through <paramref name="pipeline"/> for <paramref name="userId"/> until it is admitted.</summary>
    public static async Task<AdmittedReply> StartAsync(ChatPipeline pipeline, string userId, ChatRequest request, CancellationToken cancellationToken)
    {
        var updates = pipeline.RunAsync(userId, request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            return await updates.MoveNextAsync().ConfigureAwait(false) && updates.Current.Admitted is { } admitted
                ? new AdmittedReply(updates, admitted)
                : throw new InvalidOperationException("The request was not admitted.");
        }
        catch
        {
            await updates.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The updates after the admission.</summary>
    public async IAsyncEnumerable<ChatUpdate> RestAsync()
    {
        while (await _updates.MoveNextAsync().ConfigureAwait(false))
        {
            yield return _updates.Current;
        }
    }

    /// <summary>The whole reply (throws <see cref="OperationCanceledException"/> when the client went away).</summary>
    public Task<ReplyBuilder> CollectAsync(CancellationToken cancellationToken) => ReplyBuilder.CollectAsync(_updates, cancellationToken);

    public ValueTask DisposeAsync() => _updates.DisposeAsync();
}
