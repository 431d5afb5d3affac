namespace Frugal.Memory;

/// <summary>Reads the memory that applies to this process.</summary>
public interface IMemoryProbe
{
    /// <summary>Takes a fresh reading.</summary>
    MemorySnapshot Read();

    /// <summary>
    /// The bytes of the loaded model's memory-mapped tensors, counted as resident-required (the host
    /// sets it once the model is loaded; 0 before).
    /// </summary>
    long ModelMappedBytes { get; set; }
}
