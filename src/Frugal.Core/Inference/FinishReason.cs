namespace Frugal.Inference;

/// <summary>Why a reply ended.</summary>
public enum FinishReason
{
    /// <summary>End of sequence, a stop string, or the model starting a new user turn.</summary>
    Stop,

    /// <summary>The token limit (or a time limit) was reached.</summary>
    Length,

    /// <summary>The caller cancelled.</summary>
    Cancelled,
}
