namespace Frugal.Models;

/// <summary>One tensor an architecture's loader asks for: its name, its shape innermost first, what it does, and whether it may be absent.</summary>
internal sealed record ExpectedTensor(string Name, long[] Shape, TensorRole Role, bool Required = true);
