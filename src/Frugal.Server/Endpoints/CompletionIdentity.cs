namespace Frugal.Server.Endpoints;

/// <summary>What every chunk or answer of one completion repeats: its id, creation time and model id.</summary>
internal sealed record CompletionIdentity(string Id, long Created, string Model)
{
    public static CompletionIdentity Create(TimeProvider time, string model) =>
        new($"chatcmpl-{Guid.NewGuid():N}", time.GetUtcNow().ToUnixTimeSeconds(), model);
}
