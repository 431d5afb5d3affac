using Frugal.Cli.Models;

namespace Frugal.Cli.Native;

/// <summary>Which of the package's CPU backends to install, from what each scored on this CPU (0: it cannot run here).</summary>
internal static class CpuBackendChoice
{
    /// <summary>
    /// <paramref name="named"/> when given (it must be in the package and run here); otherwise the highest score among
    /// the builds not kept for <see cref="CpuBackendRelease.OnlyWhenNamed"/>.
    /// </summary>
    /// <exception cref="PullException">The named build is not in the package or cannot run here, or nothing above AVX2 runs here.</exception>
    public static KeyValuePair<string, int> Choose(IReadOnlyDictionary<string, int> scores, string? named)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (named is not null)
        {
            if (!scores.TryGetValue(named, out var score))
            {
                throw new PullException($"no CPU backend '{named}' in {CpuBackendRelease.Package} {CpuBackendRelease.Version}: one of {string.Join(", ", scores.Keys.Order(StringComparer.Ordinal))}.");
            }

            if (score <= 0)
            {
                throw new PullException($"the '{named}' CPU backend cannot run on this CPU (it lacks instructions that build needs); runnable here: {Runnable(scores)}.");
            }

            if (CpuBackendRelease.BelowAvx2.Contains(named))
            {
                throw new PullException($"the '{named}' CPU backend is for CPUs without AVX2; the packaged builds serve them (no --native-library needed).");
            }

            return new(named, score);
        }

        var best = scores.Where(s => s.Value > 0 && !CpuBackendRelease.OnlyWhenNamed.Contains(s.Key))
            .OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).FirstOrDefault();
        if (best.Key is null || CpuBackendRelease.BelowAvx2.Contains(best.Key))
        {
            throw new PullException($"this CPU has no AVX2 (runnable here: {Runnable(scores)}): the packaged builds are the ones for it.");
        }

        return best;
    }

    private static string Runnable(IReadOnlyDictionary<string, int> scores) =>
        scores.Any(s => s.Value > 0) ? string.Join(", ", scores.Where(s => s.Value > 0).OrderByDescending(s => s.Value).Select(s => $"{s.Key} ({s.Value})")) : "none";
}
