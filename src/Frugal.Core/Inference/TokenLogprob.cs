namespace Frugal.Inference;

/// <summary>
/// One reply token's log probability (natural log) in the distribution the sampler drew it from, with the most likely
/// tokens of that distribution (see <see cref="GenerationRequest.Logprobs"/>).
/// </summary>
/// <param name="Token">The token's text (bytes that are not whole UTF-8 characters read as U+FFFD; <paramref name="Bytes"/> has them exactly).</param>
/// <param name="Bytes">The token's UTF-8 bytes.</param>
/// <param name="Logprob">Its log probability, at most 0.</param>
public sealed record TokenLogprob(string Token, IReadOnlyList<byte> Bytes, double Logprob)
{
    /// <summary>The most likely tokens at this position, most likely first (empty for the alternatives themselves).</summary>
    public IReadOnlyList<TokenLogprob> Top { get; init; } = [];
}
