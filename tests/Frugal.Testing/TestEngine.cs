using Frugal.DependencyInjection;

namespace Frugal.Testing;

/// <summary>
/// How test servers get their engine: the real LLamaSharp engine on the <c>tiny</c> model
/// (<see cref="TestModels.Tiny"/>: random weights, replies are gibberish of real tokens).
/// </summary>
public static class TestEngine
{
    /// <summary>Context size of test servers: small, so history-window tests fill it with a few messages.</summary>
    public const int ContextSize = 512;

    /// <summary>The synthesized tiny model file (written on first use).</summary>
    public static string ModelPath => TestModels.Tiny;

    /// <summary>Points <paramref name="options"/> at the tiny model with <see cref="ContextSize"/>.</summary>
    public static void Configure(FrugalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Model.Path = ModelPath;
        options.Model.ContextSize = ContextSize;
    }
}
