namespace Frugal.Memory;

/// <summary>
/// Engine settings for the box, each either chosen by <see cref="AutoConfigurator"/> or given by the
/// operator (flag, <c>FRUGAL_…</c> environment variable or <c>appsettings.json</c>). Null: choose.
/// </summary>
public sealed record BoxSettings
{
    /// <summary>Context size in tokens.</summary>
    public int? ContextSize { get; init; }

    /// <summary>Logical batch size (tokens per decode call).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Physical (micro) batch size: sets the compute buffer's size.</summary>
    public int? MicroBatchSize { get; init; }

    /// <summary>Inference threads.</summary>
    public int? Threads { get; init; }

    /// <summary>Sequences decoded together (sharing one KV cache).</summary>
    public int? ParallelSequences { get; init; }
}
