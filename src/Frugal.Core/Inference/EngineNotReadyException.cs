namespace Frugal.Inference;

/// <summary>Generation was asked for while the model is still loading or failed to load.</summary>
public sealed class EngineNotReadyException : Exception
{
    public EngineNotReadyException() : base("The model is not loaded.") { }

    public EngineNotReadyException(string message) : base(message) { }

    public EngineNotReadyException(string message, Exception innerException) : base(message, innerException) { }
}
