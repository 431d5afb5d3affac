namespace Frugal.Bench;

/// <summary>
/// Decode speed under a JSON-schema grammar against free decoding of the same prompt, measured back to back in each
/// round (the order alternating); <see cref="Ratio"/> is the median of the rounds' ratios.
/// </summary>
public sealed record GrammarFigures(double FreeTokensPerSecond, double ConstrainedTokensPerSecond, double Ratio);
