namespace Frugal.Inference;

/// <summary>Where the model stands in its background load.</summary>
public enum EngineLoadState
{
    /// <summary>The model is being loaded; generation is refused for now.</summary>
    Loading,

    /// <summary>The model is loaded and serving.</summary>
    Loaded,

    /// <summary>Loading failed; <see cref="EngineReadiness.FailureReason"/> says why. The server stays up.</summary>
    Failed,
}
