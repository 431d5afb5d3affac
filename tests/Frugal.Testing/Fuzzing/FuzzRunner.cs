using System.Diagnostics;

namespace Frugal.Testing.Fuzzing;

/// <summary>
/// Runs a target on its seeds, then on mutants of them (<see cref="ByteMutator"/>), and collects every exception
/// that is not the target's own clear error. Single-threaded and deterministic for a given seed and iteration count.
/// </summary>
public static class FuzzRunner
{
    public static FuzzReport Run(IFuzzTarget target, FuzzRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var random = new Random(options.Seed);
        var mutator = new ByteMutator(random, target.Dictionary);
        var seeds = target.Seeds;
        var hot = seeds.Select(target.HotLength).ToArray();
        var findings = new List<FuzzFinding>();
        long accepted = 0, refused = 0, iteration = 0;
        var clock = Stopwatch.StartNew();

        bool More() => findings.Count < options.MaxFindings
            && (options.Duration is { } duration ? clock.Elapsed < duration : iteration < options.Iterations + seeds.Count);

        while (More())
        {
            byte[] input;
            if (iteration < seeds.Count)
            {
                input = seeds[(int)iteration];
            }
            else
            {
                var which = random.Next(seeds.Count);
                input = mutator.Mutate(seeds[which], hot[which]);
            }

            try
            {
                target.Run(input);
                accepted++;
                if (iteration >= seeds.Count)
                {
                    options.Accepted?.Invoke(input);
                }
            }
            catch (Exception e) when (target.IsOwnError(e))
            {
                refused++;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var finding = new FuzzFinding(target.Name, iteration, input, e);
                findings.Add(finding);
                Save(options.FindingsDirectory, finding);
            }

            iteration++;
        }

        return new FuzzReport(target.Name, iteration, accepted, refused, findings, clock.Elapsed);
    }

    private static void Save(string? directory, FuzzFinding finding)
    {
        if (directory is null)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        var name = Path.Combine(directory, $"{finding.Target}-{finding.Iteration}");
        File.WriteAllBytes(name + ".bin", finding.Input);
        File.WriteAllText(name + ".txt", finding.Exception.ToString());
    }
}
