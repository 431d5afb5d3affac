using Frugal.Testing.Fuzzing;

namespace Frugal.Fuzz;

/// <summary>
/// A bug planted behind the magic <c>FUZZ!</c>, compared one byte at a time: a coverage-guided fuzzer learns each
/// byte from the new branch it opens (a few thousand inputs), where blind mutation would need about 2^40. Proves
/// that the instrumented harness reports both coverage and crashes before a run's figures are believed.
/// </summary>
internal sealed class PlantedFuzzTarget : IFuzzTarget
{
    public const string TargetName = "planted";

    public string Name => TargetName;

    public IReadOnlyList<byte[]> Seeds { get; } = ["hello"u8.ToArray()];

    public IReadOnlyList<byte[]> Dictionary { get; } = [];

    public int HotLength(byte[] seed) => seed.Length;

    public bool Run(byte[] input)
    {
        if (input.Length >= 5 && input[0] == 'F')
        {
            if (input[1] == 'U')
            {
                if (input[2] == 'Z')
                {
                    if (input[3] == 'Z')
                    {
                        if (input[4] == '!')
                        {
                            throw new InvalidOperationException("The planted bug was found.");
                        }
                    }
                }
            }
        }

        return true;
    }

    public bool IsOwnError(Exception exception) => false;
}
