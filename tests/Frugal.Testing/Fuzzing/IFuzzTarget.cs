namespace Frugal.Testing.Fuzzing;

/// <summary>
/// Something that reads untrusted bytes: its seeds, where mutations matter most, and one run. A run returns whether
/// the input was accepted; it refuses a malformed one by throwing one of its own clear errors
/// (<see cref="IsOwnError"/>); any other exception is a finding.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>A short name for reports and saved findings.</summary>
    string Name { get; }

    /// <summary>Well-formed inputs the mutations start from.</summary>
    IReadOnlyList<byte[]> Seeds { get; }

    /// <summary>Tokens worth inserting (JSON punctuation, big numbers); empty for none.</summary>
    IReadOnlyList<byte[]> Dictionary { get; }

    /// <summary>How many leading bytes of <paramref name="seed"/> most mutations go to.</summary>
    int HotLength(byte[] seed);

    /// <summary>Reads <paramref name="input"/>: true when accepted, false never (a refusal throws).</summary>
    bool Run(byte[] input);

    /// <summary>Whether <paramref name="exception"/> is one of the target's own clear refusals.</summary>
    bool IsOwnError(Exception exception);
}
