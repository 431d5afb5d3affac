using Frugal.Models;
using Frugal.DependencyInjection;

namespace Frugal.Tests.Infrastructure;

/// <summary>
/// How test servers get their engine: the real LLamaSharp engine on the <c>tiny</c> model, synthesized
/// once per test run into a temp directory (random weights: replies are gibberish of real tokens).
/// </summary>
public static class TestEngine
{
    /// <summary>Context size of test servers: small, so history-window tests fill it with a few messages.</summary>
    public const int ContextSize = 512;

    private static readonly Lazy<string> Model = new(() =>
    {
        var directory = Directory.CreateTempSubdirectory("frugal-server-tests-").FullName;
        var path = Path.Combine(directory, "tiny.gguf");
        ModelSynthesizer.WriteTiny(path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the system's temp cleaner.
            }
        };
        return path;
    });

    /// <summary>The synthesized tiny model file (written on first use).</summary>
    public static string ModelPath => Model.Value;

    /// <summary>Points <paramref name="options"/> at the tiny model with <see cref="ContextSize"/>.</summary>
    public static void Configure(FrugalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Model.Path = ModelPath;
        options.Model.ContextSize = ContextSize;
    }
}
