namespace Frugal.Caching;

/// <summary>How much the <see cref="ResponseCache"/> may hold (configuration section <c>ResponseCache</c>).</summary>
public sealed class ResponseCacheOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "ResponseCache";

    /// <summary>By default a few thousand short replies: small next to the model, large next to a day of repeats.</summary>
    public static ByteSize DefaultMaxBytes { get; } = ByteSize.FromMebibytes(8);

    /// <summary>The most bytes of cached replies (text and keys); 0 turns the cache off.</summary>
    public ByteSize MaxBytes { get; set; } = DefaultMaxBytes;
}
