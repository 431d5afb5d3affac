using System.CommandLine;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal model</c>: inspect and synthesize GGUF model files.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var command = new Command("model", "Inspect and synthesize GGUF model files.");
        command.Subcommands.Add(ModelInspectCommand.Create());
        command.Subcommands.Add(ModelSynthCommand.Create());
        return command;
    }
}
