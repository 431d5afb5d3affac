using System.Text.Json;
using Frugal.Cli.Doctor;

namespace Frugal.Tests.Doctor;

public sealed class MachineDoctorTests
{
    [Fact]
    public void Run_HealthyBox_AllPassExitZero()
    {
        using var box = new DoctorFixture();

        var report = new MachineDoctor(box.FileSystem).Run(box.DataDirectory, modelPath: null, contextSize: null);

        Assert.All(report.Checks, c => Assert.Equal(DoctorStatus.Pass, c.Status));
        Assert.Equal(0, report.ExitCode);
        var cores = Assert.Single(report.Checks, c => c.Name == "cpu.cores");
        Assert.Contains("quota 1 cores", cores.Detail, StringComparison.Ordinal);
        Assert.Contains("packaged llama.cpp build for these flags: avx2", Assert.Single(report.Checks, c => c.Name == "cpu.features").Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fpu avx avx2 fma avx512f avx512_vnni", true)]
    [InlineData("fpu avx avx2 fma avx_vnni", true)]
    [InlineData("fpu avx avx2 fma avx512f", false)]
    public void Run_CpuWithVnni_PassesAndPointsToTheNativePull(string flags, bool vnni)
    {
        using var box = new DoctorFixture();
        box.With("proc/cpuinfo", $"processor\t: 0\nflags\t\t: {flags}\n");

        var report = new MachineDoctor(box.FileSystem).Run(box.DataDirectory, null, null);

        var features = Assert.Single(report.Checks, c => c.Name == "cpu.features");
        Assert.Equal(DoctorStatus.Pass, features.Status);
        Assert.Equal(vnni, features.Detail.Contains("'frugal native pull' installs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("fpu avx avx2 fma f16c", true)]
    [InlineData("fpu avx avx2 fma", false)]
    [InlineData("fpu avx f16c", false)]
    public void Run_CpuWithTheKernelsInstructions_PointsToTheNativeBuild(string flags, bool named)
    {
        using var box = new DoctorFixture();
        box.With("proc/cpuinfo", $"processor\t: 0\nflags\t\t: {flags}\n");

        var report = new MachineDoctor(box.FileSystem).Run(box.DataDirectory, null, null);

        Assert.Equal(named, Assert.Single(report.Checks, c => c.Name == "cpu.features").Detail.Contains("'frugal native build' compiles", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n", "kernel.thp")]
    [InlineData("proc/sys/vm/overcommit_memory", "2\n", "kernel.overcommit")]
    [InlineData("proc/meminfo", "MemTotal: 16777216 kB\nSwapTotal: 1048576 kB\n", "memory.swap")]
    [InlineData("proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu avx\n", "cpu.features")]
    [InlineData("sys/fs/cgroup/box/cpu.max", "50000 100000\n", "cpu.cores")]
    public void Run_OneDoubtfulSetting_WarnsWithRecommendationExitOne(string file, string content, string check)
    {
        using var box = new DoctorFixture();
        box.With(file, content);

        var report = new MachineDoctor(box.FileSystem).Run(box.DataDirectory, null, null);

        var warned = Assert.Single(report.Checks, c => c.Status != DoctorStatus.Pass);
        Assert.Equal(check, warned.Name);
        Assert.Equal(DoctorStatus.Warn, warned.Status);
        Assert.False(string.IsNullOrWhiteSpace(warned.Recommendation));
        Assert.Equal(1, report.ExitCode);
    }

    [Fact]
    public void Run_BoxTooSmall_FailsExitTwo()
    {
        using var box = new DoctorFixture();
        box.With("sys/fs/cgroup/box/memory.max", "805306368\n"); // 768 MiB

        var report = new MachineDoctor(box.FileSystem).Run(box.DataDirectory, null, null);

        var failed = Assert.Single(report.Checks, c => c.Status == DoctorStatus.Fail);
        Assert.Equal("memory.available", failed.Name);
        Assert.Contains("limit 768 MiB", failed.Detail, StringComparison.Ordinal);
        Assert.Equal(2, report.ExitCode);
    }

    [Fact]
    public void Run_MalformedModel_FailsExitTwo()
    {
        using var box = new DoctorFixture();
        var model = Path.Join(box.Root, "broken.gguf");
        File.WriteAllBytes(model, "GGUF\u0003\0\0\0not really"u8.ToArray());

        var report = new MachineDoctor(box.FileSystem).Run(box.DataDirectory, model, null);

        Assert.Equal(DoctorStatus.Fail, Assert.Single(report.Checks, c => c.Name == "model.file").Status);
        Assert.Equal(2, report.ExitCode);
    }

    [Fact]
    public void WriteJson_Report_IsOneObjectWithExitCodeAndChecks()
    {
        using var box = new DoctorFixture();
        box.With("proc/sys/vm/overcommit_memory", "1\n");
        var report = new MachineDoctor(box.FileSystem).Run(box.DataDirectory, null, null);
        using var buffer = new MemoryStream();

        report.WriteJson(buffer);

        using var json = JsonDocument.Parse(buffer.ToArray());
        Assert.Equal(1, json.RootElement.GetProperty("exit_code").GetInt32());
        var checks = json.RootElement.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(report.Checks.Count, checks.Count);
        var overcommit = checks.Single(c => c.GetProperty("name").GetString() == "kernel.overcommit");
        Assert.Equal("warn", overcommit.GetProperty("status").GetString());
        Assert.True(overcommit.TryGetProperty("recommendation", out _));
    }
}

public sealed class MachineDoctorModelTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("frugal-doctor-model-").FullName;

    [Fact]
    public void Run_ValidTinyModelInRoomyBox_PassesFileAndFitWithTheEstimateParts()
    {
        using var box = new DoctorFixture();
        var model = Path.Join(_directory, "tiny.gguf");
        Frugal.Models.ModelSynthesizer.WriteTiny(model);

        var report = new MachineDoctor(box.FileSystem).Run(box.DataDirectory, model, contextSize: 1024);

        Assert.Equal(DoctorStatus.Pass, Assert.Single(report.Checks, c => c.Name == "model.file").Status);
        var fit = Assert.Single(report.Checks, c => c.Name == "model.fit");
        Assert.Equal(DoctorStatus.Pass, fit.Status);
        Assert.Contains("at context 1024", fit.Detail, StringComparison.Ordinal);
        Assert.Contains("weights", fit.Detail, StringComparison.Ordinal);
        Assert.Contains("KV", fit.Detail, StringComparison.Ordinal);
        Assert.Contains("(mapped)", fit.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("repacked", fit.Detail, StringComparison.Ordinal);
        Assert.Equal(0, report.ExitCode);
    }

    [Fact]
    public void Run_Q4KMModel_FitSaysWhatServesLoadRepacksAndTheLoad()
    {
        using var box = new DoctorFixture();
        var model = Path.Join(_directory, "q4km.gguf");
        var shape = Frugal.Models.ModelShape.Tiny with { Name = "wide", EmbeddingLength = 512, FeedForwardLength = 1024, HeadCount = 8, HeadCountKv = 2, BlockCount = 8 };
        Frugal.Models.ModelSynthesizer.Write(model, new Frugal.Models.SynthesisOptions { Shape = shape, Quant = Frugal.Models.ModelQuantization.Q4_K_M });

        var report = new MachineDoctor(box.FileSystem).Run(box.DataDirectory, model, contextSize: 1024);

        // Serve's default (auto), decided with the kernels of the CPU backend the doctor loaded for it.
        var file = Frugal.Models.GgufReader.Read(model);
        var repacked = Frugal.Inference.RepackedWeights.AtLoad(file, null, Frugal.Inference.FrugalCpuKernels.Current);
        var fit = Assert.Single(report.Checks, c => c.Name == "model.fit");
        Assert.True(repacked > 0, "LLamaSharp's packaged build, which the tests load, has none of Frugal's kernels: auto repacks Q4_K_M");
        Assert.Contains($"weights {file.TensorDataBytes / (1 << 20)} ({repacked / (1 << 20)} repacked into memory at load, {(file.TensorDataBytes - repacked) / (1 << 20)} mapped)", fit.Detail, StringComparison.Ordinal);
        Assert.Contains("at the peak of the load", fit.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckQuantization_F16File_MeasuresEachTypesKernelAndRecordsTheRates()
    {
        var model = Path.Join(_directory, "f16.gguf");
        var shape = Frugal.Models.ModelShape.Tiny with { Name = "superblock", EmbeddingLength = 256, FeedForwardLength = 512, BlockCount = 8 };
        Frugal.Models.ModelSynthesizer.Write(model, new Frugal.Models.SynthesisOptions { Shape = shape, Quant = Frugal.Models.ModelQuantization.F16 });
        var info = Frugal.Models.ModelInfoReader.Read(model);
        var cpu = new Frugal.Memory.CpuSnapshot { OnlineCpus = 1, AllowedCpus = 1, Source = Frugal.Memory.CgroupVersion.None, Flags = new HashSet<string> { "avx2" } };
        var data = Path.Join(_directory, "data");

        var check = MachineDoctor.CheckQuantization(model, info, cpu, data, matrixBytes: 1L << 20);

        Assert.Equal(DoctorStatus.Pass, check.Status);
        Assert.Equal("model.quantization", check.Name);
        Assert.Matches(@"^F16 reads \d+ MiB of weights per token; at this core's \d+\.\d\d GB/s that is at most [\d.]+ tokens/s; "
            + @"measured here, a matrix times a column: F16 [\d.]+ GB/s, Q8_0 [\d.]+ GB/s, Q6_K [\d.]+ GB/s, Q5_K [\d.]+ GB/s, Q4_K [\d.]+ GB/s; "
            + @"a decode step measured here takes [\d.]+ ms, [\d.]+ of them beyond the matrices at these rates \(attention, norms, the graph\), "
            + @"so decoding runs at F16 [\d.]+ tokens/s, Q8_0 [\d.]+, Q6_K [\d.]+, Q5_K_M [\d.]+, Q4_K_M [\d.]+; ", check.Detail);
        Assert.DoesNotContain("bytes per token alone", check.Detail, StringComparison.Ordinal);
        Assert.Equal(5, File.ReadAllLines(Path.Join(data, "native", Frugal.Cli.Native.MeasuredKernels.RecordFile)).Length - 1);
        Assert.Equal(2, File.ReadAllLines(Path.Join(data, "native", Frugal.Cli.Native.MeasuredKernels.StepRecordFile)).Length);
    }

    [Fact]
    public void CheckCpuBackend_ShippedBuildOnAnAvx2Cpu_NamesItAndWhy()
    {
        var shipped = Directory.CreateDirectory(Path.Join(_directory, "program", "native", "frugal-avx2")).FullName;
        foreach (var name in new[] { "libllama.so", "libggml.so", "libggml-base.so", "libggml-cpu.so" })
        {
            File.WriteAllText(Path.Join(shipped, name), name);
        }

        var zen3 = new Frugal.Memory.CpuSnapshot { OnlineCpus = 1, AllowedCpus = 1, Source = Frugal.Memory.CgroupVersion.None, Flags = new HashSet<string> { "avx", "avx2", "fma", "f16c", "bmi2" } };
        var sandyBridge = zen3 with { Flags = new HashSet<string> { "avx" } };
        var data = Path.Join(_directory, "data");
        var packaged = Path.Join(_directory, "packaged");

        var chosen = MachineDoctor.CheckCpuBackend(zen3, data, null, packaged, shipped);
        var older = MachineDoctor.CheckCpuBackend(sandyBridge, data, null, packaged, shipped);
        var named = MachineDoctor.CheckCpuBackend(sandyBridge, data, "frugal", packaged, shipped);

        Assert.Equal(DoctorStatus.Pass, chosen.Status);
        Assert.StartsWith($"Frugal's avx2 build shipped with this program ({Path.Join(shipped, "libllama.so")}: nothing installed", chosen.Detail, StringComparison.Ordinal);
        Assert.Equal(DoctorStatus.Pass, older.Status);
        Assert.StartsWith("LLamaSharp's packaged build: this CPU lacks avx2", older.Detail, StringComparison.Ordinal);
        Assert.Equal("LLamaSharp's packaged avx build (Model:NativeLibrary auto)", MachineDoctor.CheckCpuBackend(sandyBridge, data, null, packaged, Path.Join(_directory, "none")).Detail);
        Assert.Equal(DoctorStatus.Fail, named.Status);
        Assert.Contains("this CPU lacks avx2, fma, f16c, bmi2", named.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckFit_BoxSmallerThanTheModelNeeds_FailsWithRefusal()
    {
        var model = Path.Join(_directory, "tiny.gguf");
        Frugal.Models.ModelSynthesizer.WriteTiny(model);
        var info = Frugal.Models.ModelInfoReader.Read(model);
        var cpu = new Frugal.Memory.CpuSnapshot { OnlineCpus = 1, AllowedCpus = 1, Source = Frugal.Memory.CgroupVersion.None, Flags = new HashSet<string>() };
        var memory = new Frugal.Memory.MemorySnapshot
        {
            Timestamp = DateTimeOffset.UnixEpoch,
            Source = Frugal.Memory.CgroupVersion.V2,
            LimitBytes = 64L << 20,
            UsageBytes = 0,
            AnonymousBytes = 0,
            PageCacheBytes = 0,
        };

        var fit = MachineDoctor.CheckFit(info, 2048, cpu, memory);

        Assert.Equal(DoctorStatus.Fail, fit.Status);
        Assert.Contains("does not fit", fit.Recommendation, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
