namespace Frugal.Inference;

public sealed partial class LlamaEngine
{
    /// <summary>Makes <paramref name="session"/> the owner of sequence 0 (phase 1: the held tokens are reused by prefix only).</summary>
    private void SwitchSession(IReadOnlyList<int> prompt, string? session)
    {
        _ = prompt;
        _heldSession = session;
    }
}
