using Frugal.Inference.State;

namespace Frugal.DependencyInjection;

/// <summary>
/// Where and how much idle conversations' KV state is kept, so a conversation's next turn after another
/// one used the context evaluates only its new tokens (configuration section <c>SessionState</c>).
/// </summary>
public sealed class SessionStateOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "SessionState";

    /// <summary>
    /// States are kept under <c>{Directory}/kv/</c>; null or empty keeps none (only the active conversation's
    /// state stays in the context). <c>frugal serve</c> uses its data directory.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Bytes of state kept in RAM ("64m"); 0 sends every state to disk.</summary>
    public ByteSize MemoryBudget { get; set; } = TieredSessionStateStoreOptions.DefaultMemoryBudget;

    /// <summary>Bytes of state files on disk ("1g"); 0 keeps states in RAM only.</summary>
    public ByteSize DiskBudget { get; set; } = TieredSessionStateStoreOptions.DefaultDiskBudget;
}
