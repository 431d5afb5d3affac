using System.CommandLine;
using Frugal.Cli.Commands;

var root = new RootCommand("Frugal: a chat server for a small GGUF model on a small machine.");

// Model files (GGUF): inspect, synth
root.Subcommands.Add(ModelCommand.Create());

// Inference from a terminal: generate, chat
root.Subcommands.Add(GenerateCommand.Create());
root.Subcommands.Add(ChatCommand.Create());

// The server and its users: serve, user
root.Subcommands.Add(ServeCommand.Create());
root.Subcommands.Add(UserCommand.Create());

// Fitting the box: doctor, monitor
root.Subcommands.Add(DoctorCommand.Create());
root.Subcommands.Add(MonitorCommand.Create());

// Speed: bench
root.Subcommands.Add(BenchCommand.Create());

return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
