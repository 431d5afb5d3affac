namespace Frugal.Models;

/// <summary>
/// Writes the next chunk of a tensor's data into <paramref name="destination"/>, which always holds a
/// whole number of blocks; <paramref name="offset"/> is the chunk's byte offset within the tensor.
/// </summary>
public delegate void GgufTensorFill(Span<byte> destination, long offset);
