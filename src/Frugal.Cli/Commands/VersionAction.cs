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
        output.WriteLine(NativeBuild.Describe());
        return 0;
    }
}
