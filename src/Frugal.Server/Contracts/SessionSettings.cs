using Frugal.Conversations;

namespace Frugal.Server.Contracts;

/// <summary>
/// A session's sampling settings on the wire: <c>{"max_tokens", "temperature", "top_p", "top_k", "seed"}</c>, each null
/// for the server's default. A send's own values override them for that send.
/// </summary>
public sealed record SessionSettings(int? MaxTokens = null, double? Temperature = null, double? TopP = null, int? TopK = null, long? Seed = null)
{
    public static SessionSettings From(ChatSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(settings.MaxTokens, settings.Temperature, settings.TopP, settings.TopK, settings.Seed);
    }

    public ChatSettings ToSettings() => new() { MaxTokens = MaxTokens, Temperature = Temperature, TopP = TopP, TopK = TopK, Seed = Seed };
}
