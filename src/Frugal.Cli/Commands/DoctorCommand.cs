using System.CommandLine;
using Frugal.Cli.Doctor;
using Frugal.Memory;

namespace Frugal.Cli.Commands;

/// <summary><c>frugal doctor</c>: checks this machine as a deployment target; exit 0 all pass, 1 warnings, 2 a failure.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo?>("--model") { Description = "A GGUF model file to validate and fit into this box." };
        var context = new Option<int?>("--ctx") { Description = "Context size to check the fit at (default: what serve would choose)." };
        var data = new Option<DirectoryInfo>("--data") { Description = "The data directory whose disk is checked.", DefaultValueFactory = _ => new DirectoryInfo("data") };
        var json = new Option<bool>("--json") { Description = "Print the checks as one JSON object." };
        var nativeLibrary = InferenceOptions.NativeLibraryOption("the one whose kernels --model's quantization advice is measured with; default auto, as frugal serve");
        var command = new Command("doctor", "Check this machine as a deployment target: CPU, memory, kernel settings, disk, model fit.")
        {
            model, context, data, json, nativeLibrary,
        };
        command.SetAction(parseResult =>
        {
            var ctx = parseResult.GetValue(context);
            if (ctx is <= 0)
            {
                Console.Error.WriteLine("frugal doctor: --ctx must be a positive number of tokens.");
                return 2;
            }

            var report = new MachineDoctor(PhysicalFileSystem.Instance)
                .Run(parseResult.GetValue(data)!.FullName, parseResult.GetValue(model)?.FullName, ctx, parseResult.GetValue(nativeLibrary));
            if (parseResult.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                report.WriteJson(stdout);
            }
            else
            {
                report.WriteText(Console.Out);
            }

            return report.ExitCode;
        });
        return command;
    }
}
