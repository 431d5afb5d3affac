namespace Frugal.Inference.State;

/// <summary>Where and how much a <see cref="TieredSessionStateStore"/> keeps.</summary>
public sealed class TieredSessionStateStoreOptions
{
    /// <summary>
    /// RAM kept by default: none, every idle state goes to disk. Measured on the TinyLlama shape in a 1 CPU /
    /// 2 GiB box (`frugal bench`, 3 interleaving 10-turn sessions): a 64 MiB RAM tier raised the box's peak
    /// from 1,278 to 1,414 MiB (anonymous 115 → 249 MiB), while a state of 1,500 tokens restores from a
    /// cold file in tens of milliseconds, against seconds for the turn's own prompt. On a small box that
    /// RAM is worth more as room for the model's pages.
    /// </summary>
    public static ByteSize DefaultMemoryBudget { get; } = ByteSize.Zero;

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
