namespace Frugal.Server.Contracts;

/// <summary><c>stream_options</c>: whether a last chunk carries the usage.</summary>
public sealed record ChatCompletionStreamOptions
{
    public bool? IncludeUsage { get; init; }
}
