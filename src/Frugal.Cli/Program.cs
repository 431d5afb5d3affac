using System.CommandLine;
using Frugal.Cli.Commands;

var root = new RootCommand("Frugal: a chat server for a small GGUF model on a small machine.");
VersionAction.Attach(root);  // --version: also the llama.cpp build

// Model files (GGUF): inspect, synth
root.Subcommands.Add(ModelCommand.Create());

// Inference from a terminal: generate, chat
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(ChatCommand.Create());

// The server and its users: serve, user
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(UserCommand.Create());

// Its database: backup, restore
root.Subcommands.Add(BackupCommand.CreateBackup());
root.Subcommands.Add(BackupCommand.CreateRestore());

// Fitting the box: doctor, monitor
root.Subcommands.Add(DoctorCommand.Create());
root.Subcommands.Add(MonitorCommand.Create());

// Speed: bench, and the llama.cpp CPU backend for this CPU
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(NativeCommand.Create());

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
