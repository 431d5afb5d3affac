using Frugal.Inference;
using Frugal.Memory;

namespace Frugal.DependencyInjection;

/// <summary>
/// The engine settings <see cref="EnginePlanner"/> arrived at from <see cref="ModelOptions"/>: the options to
/// load with, one line per choice and why, or the reason the model cannot be loaded in this box.
/// </summary>
/// <param name="Engine">What to load (without a session-state store, which the loader adds).</param>
/// <param name="Reasons">One line per chosen setting with its reason; empty when nothing was fitted to the box.</param>
/// <param name="Refusal">Why the model is not loaded (missing, malformed, too big for the box); null when it may be.</param>
public sealed record EnginePlan(EngineOptions Engine, IReadOnlyList<string> Reasons, string? Refusal)
{
    /// <summary>What <see cref="AutoConfigurator"/> chose and its memory estimate, when the settings were fitted to the box; else null.</summary>
    public AutoConfiguration? Fit { get; init; }
}
