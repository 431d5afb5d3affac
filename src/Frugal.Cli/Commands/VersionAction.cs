using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Frugal.Inference;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal --version</c>: Frugal's version and the llama.cpp build it runs on.</summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public static void Attach(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
    }

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var version = typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        var output = parseResult.InvocationConfiguration.Output;
        output.WriteLine($"frugal {version}");
        // The build the engine loads by default (auto: the CPU backend 'native pull' installed in $FRUGAL_DATA or ./data, if any).
        output.WriteLine(NativeBuild.Describe(InferenceOptions.NativeLibraryChoice(null)));
        return 0;
    }
}
