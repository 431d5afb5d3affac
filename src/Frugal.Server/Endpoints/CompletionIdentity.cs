namespace Frugal.Server.Endpoints;

/// <summary>What every chunk or answer of one completion repeats: its id, creation time and model id.</summary>
internal sealed record CompletionIdentity(string Id, long Created, string Model)
{
    /// <summary>A new identity; <paramref name="prefix"/> is the dialect's id prefix (OpenAI: <c>chatcmpl-</c>, <c>cmpl-</c>).</summary>
    public static CompletionIdentity Create(TimeProvider time, string model, string prefix = "chatcmpl-") =>
        new($"{prefix}{Guid.NewGuid():N}", time.GetUtcNow().ToUnixTimeSeconds(), model);
}
