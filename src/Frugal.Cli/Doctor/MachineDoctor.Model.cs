using Frugal.Memory;
using Frugal.Models;

namespace Frugal.Cli.Doctor;

internal sealed partial class MachineDoctor
{
    private static IEnumerable<DoctorCheck> CheckModel(string modelPath, int? contextSize, CpuSnapshot cpu, MemorySnapshot memory)
    {
        ModelInfo model;
        try
        {
            model = ModelInfoReader.Read(modelPath);
        }
        catch (ModelFileException e)
        {
            return [DoctorCheck.Fail("model.file", e.Message, "Use a valid GGUF file (frugal model inspect FILE shows what is wrong).")];
        }
        catch (IOException e)
        {
            return [DoctorCheck.Fail("model.file", e.Message, "Check the path and that the file is readable.")];
        }
        catch (UnauthorizedAccessException e)
        {
            return [DoctorCheck.Fail("model.file", e.Message, "Check that the file is readable.")];
        }

        var valid = DoctorCheck.Pass("model.file",
            F($"{Path.GetFileName(modelPath)}: {model.Architecture} {model.FileType}, {model.ParameterCount / 1e6:0.#}M parameters, {model.FileSizeBytes / MiB} MiB, trained context {model.ContextLength}"));
        return [valid];
    }
}
