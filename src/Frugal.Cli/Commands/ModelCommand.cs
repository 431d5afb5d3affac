using System.CommandLine;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal model</c>: pull, list, inspect and synthesize GGUF model files.</summary>
internal static class ModelCommand
{
    public static Command Create()
    {
        var command = new Command("model", "Pull, list, inspect and synthesize GGUF model files.");
        command.Subcommands.Add(ModelInspectCommand.Create());
        command.Subcommands.Add(ModelSynthCommand.Create());
        command.Subcommands.Add(ModelPullCommand.Create());
        command.Subcommands.Add(ModelListCommand.Create());
        return command;
    }
}
