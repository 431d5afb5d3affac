using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Caching;

/// <summary>
/// The key of a reply: a hash of everything that decides it. The whole history goes in (every role and
/// every message, with lengths so that no two different histories can spell the same text), the model,
/// the template, the limits and every sampling setting; so a key is only ever shared by requests that
/// must produce the same reply.
/// </summary>
public static class ResponseCacheKey
{
    /// <summary>True when <paramref name="request"/> always yields the same reply, so caching it is sound (and it asks for nothing the cache does not keep).</summary>
    public static bool IsCacheable(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Sampling.IsDeterministic && request.Logprobs is null; // the cache keeps text, not log probabilities
    }

    /// <summary>Computes the key of <paramref name="request"/> on the model known as <paramref name="modelIdentity"/>.</summary>
    public static string Compute(string modelIdentity, ChatTemplateFamily template, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(modelIdentity);
        ArgumentNullException.ThrowIfNull(request);
        var text = new StringBuilder();
        Append(text, "frugal-response-v4");
        Append(text, request.Owner ?? "");
        Append(text, modelIdentity);
        Append(text, template.ToString());
        var sampling = request.Sampling;
        Append(text, string.Create(CultureInfo.InvariantCulture,
            $"{request.MaxTokens}|{request.StopAtEndOfSequence}|{sampling.Temperature:R}|{sampling.TopP:R}|{sampling.TopK}|{sampling.MinP:R}|{sampling.RepeatPenalty:R}|{sampling.Seed}"));
        Append(text, request.Grammar is { } grammar ? grammar.Root + "\n" + grammar.Text : "");
        Append(text, request.Stop.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var stop in request.Stop)
        {
            Append(text, stop);
        }

        // A raw prompt and a chat of the same text are different prompts; token ids are the prompt itself.
        Append(text, request.Raw is null ? "chat" : "raw");
        Append(text, request.Raw?.Tokens is { } tokens ? string.Join(',', tokens) : "");
        Append(text, request.Messages.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var message in request.Messages)
        {
            Append(text, message.Role.ToString());
            Append(text, message.Content);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    private static void Append(StringBuilder text, string value) =>
        text.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append(';');
}
