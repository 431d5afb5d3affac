namespace Frugal.Memory;

/// <summary>What <see cref="AutoConfigurator"/> chose, why, and whether it fits in the box.</summary>
public sealed record AutoConfiguration
{
    public required int ContextSize { get; init; }
    public required int BatchSize { get; init; }
    public required int MicroBatchSize { get; init; }
    public required int Threads { get; init; }
    public required int ParallelSequences { get; init; }

    /// <summary>
    /// When the operator gave no sequence count: the most sequences the memory plan allows, for the engine
    /// to try at load (it keeps them only if batched decoding measures faster); 1 otherwise.
    /// </summary>
    public int MaxAutoParallelSequences { get; init; } = 1;

    /// <summary>The memory estimate at the chosen settings.</summary>
    public required MemoryEstimate Estimate { get; init; }

    /// <summary>Resident memory the server will need once loaded: the estimate plus the server's own overhead.</summary>
    public required long RequiredBytes { get; init; }

    /// <summary>
    /// What the box may hold at the peak of the load, the server's overhead included: the estimate with the KV of as many
    /// sequences as the engine may keep (<see cref="MaxAutoParallelSequences"/>, or those given), plus the file's pages that
    /// repacked weights are read from (page cache until the load gives them back; see <see cref="MemoryEstimate.LoadPeakBytes"/>).
    /// </summary>
    public long LoadPeakBytes { get; init; }

    /// <summary>The memory limit of the box.</summary>
    public required long LimitBytes { get; init; }

    /// <summary>Anonymous memory of other processes already in the box.</summary>
    public required long OthersBytes { get; init; }

    /// <summary>True when the required memory stays under the emergency line of the limit.</summary>
    public required bool Fits { get; init; }

    /// <summary>One line per setting: its value and why ("context 2048: the model's trained context; fits below 75% ...").</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    /// <summary>When it does not fit: a sentence that says by how much and what to change.</summary>
    public string? Refusal { get; init; }
}
