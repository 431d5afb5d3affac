namespace Frugal.Testing.Fuzzing;

/// <summary>An input that made a target throw something other than its own clear error.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Iteration">Which input of the run it was.</param>
/// <param name="Input">The bytes.</param>
/// <param name="Exception">What was thrown.</param>
public sealed record FuzzFinding(string Target, long Iteration, byte[] Input, Exception Exception)
{
    /// <summary>One line: target, iteration, exception type and message.</summary>
    public override string ToString() =>
        $"{Target} #{Iteration}: {Exception.GetType().Name}: {Exception.Message} ({Input.Length} bytes, first 64: {Convert.ToHexString(Input.AsSpan(0, Math.Min(64, Input.Length)))})";
}
