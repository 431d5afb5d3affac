namespace Frugal.Inference.State;

/// <summary>Where and how much a <see cref="TieredSessionStateStore"/> keeps.</summary>
public sealed class TieredSessionStateStoreOptions
{
    /// <summary>RAM kept by default: two 1,500-token TinyLlama sessions (≈ 34 MiB each).</summary>
    public static ByteSize DefaultMemoryBudget { get; } = ByteSize.FromMebibytes(64);

    /// <summary>Disk kept by default: about thirty 1,500-token TinyLlama sessions.</summary>
    public static ByteSize DefaultDiskBudget { get; } = ByteSize.FromGibibytes(1);

    /// <summary>The server's data directory; states go under <c>{DataDirectory}/kv/</c> and nowhere else.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>
    /// What identifies the model file (see <see cref="ModelFileIdentity.Compute"/>); states saved under
    /// another identity are discarded at start, because a KV state only fits the model that made it.
    /// </summary>
    public string ModelIdentity { get; set; } = "";

    /// <summary>The most bytes of state held in RAM; 0 sends every state straight to disk.</summary>
    public ByteSize MemoryBudget { get; set; } = DefaultMemoryBudget;

    /// <summary>The most bytes of state files on disk; 0 keeps states in RAM only.</summary>
    public ByteSize DiskBudget { get; set; } = DefaultDiskBudget;
}
