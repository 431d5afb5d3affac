using System.Globalization;
using System.Text;
using Frugal.Fuzz;
using SharpFuzz;

// Usage (bench/fuzz-afl drives it):
//   Frugal.Fuzz list                      the target names
//   Frugal.Fuzz seeds TARGET DIR          writes the target's seeds, one file each
//   Frugal.Fuzz dict TARGET FILE          writes its dictionary in afl's format
//   Frugal.Fuzz run TARGET                afl-fuzz's forkserver (one input from stdin when not under afl-fuzz)
//   Frugal.Fuzz libfuzzer TARGET          libFuzzer's driver (SharpFuzz's libfuzzer-dotnet bridge)
//   Frugal.Fuzz replay TARGET FILE...     each file: accepted, refused, or the exception (to triage crashes)
if (args is ["list"])
{
    Console.WriteLine(string.Join(Environment.NewLine, FuzzHarness.Names));
    return 0;
}

if (args is not [var command, var name, .. var rest])
{
    Console.Error.WriteLine("usage: Frugal.Fuzz list | seeds TARGET DIR | dict TARGET FILE | run TARGET | libfuzzer TARGET | replay TARGET FILE...");
    return 2;
}

// Under a fuzzer, Frugal's assemblies are instrumented: their code may run only inside the fuzzer's action, once
// SharpFuzz has set up the coverage map (before that it writes through a null map), so the target is made there.
var work = Directory.CreateTempSubdirectory("frugal-fuzz-").FullName;
FuzzHarness? made = null;
FuzzHarness Harness() => made ??= FuzzHarness.Create(name, work);
try
{
    switch (command, rest)
    {
        case ("seeds", [var directory]):
            var harness = Harness();
            Directory.CreateDirectory(directory);
            for (var i = 0; i < harness.Seeds.Count; i++)
            {
                File.WriteAllBytes(Path.Combine(directory, $"seed-{i}"), harness.Seeds[i]);
            }

            return 0;
        case ("dict", [var file]):
            File.WriteAllLines(file, Harness().Target.Dictionary.Select((token, i) => $"t{i}=\"{AflEscape(token)}\""));
            return 0;
        case ("run", []):
            Fuzzer.Run(stream => Harness().Run(ReadAll(stream)));
            return 0;
        case ("libfuzzer", []):
            Fuzzer.LibFuzzer.Run(span => Harness().Run(span.ToArray()));
            return 0;
        case ("replay", [_, ..]):
            return Replay(Harness(), rest);
        default:
            Console.Error.WriteLine($"Frugal.Fuzz: unknown command '{command}' or wrong arguments.");
            return 2;
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

static int Replay(FuzzHarness harness, string[] files)
{
    var crashes = 0;
    foreach (var file in files)
    {
        try
        {
            Console.WriteLine($"{file}: {(harness.Run(File.ReadAllBytes(file)) ? "accepted" : "refused")}");
        }
        catch (Exception e)
        {
            crashes++;
            Console.WriteLine($"{file}: CRASH {e.GetType().FullName}: {e.Message}");
            Console.WriteLine(e.StackTrace);
        }
    }

    return crashes == 0 ? 0 : 1;
}

static byte[] ReadAll(Stream stream)
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    return memory.ToArray();
}

// afl's dictionary: printable ASCII as is (but quote and backslash), everything else as \xNN.
static string AflEscape(byte[] token)
{
    var text = new StringBuilder();
    foreach (var b in token)
    {
        text.Append(b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : string.Create(CultureInfo.InvariantCulture, $"\\x{b:X2}"));
    }

    return text.ToString();
}
