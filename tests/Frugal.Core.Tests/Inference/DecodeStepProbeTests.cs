using Frugal.Inference;
using Frugal.Models;

namespace Frugal.Tests.Inference;

/// <summary>One decode step of a model, loaded and stepped through the real engine's native library.</summary>
public sealed class DecodeStepProbeTests
{
    [Fact]
    public void Measure_TinyModel_APositiveStep()
    {
        var step = DecodeStepProbe.Measure(new EngineOptions { ModelPath = TestModels.Tiny }, threads: 1);

        Assert.True(step > TimeSpan.Zero, $"step {step}");
    }

    [Fact]
    public void Measure_NotAModel_RefusedBeforeNativeCode()
    {
        using var temp = new TempDirectory();
        var path = temp.File("not-a-model.gguf");
        File.WriteAllText(path, "GGUF? no");

        Assert.Throws<ModelFileException>(() => DecodeStepProbe.Measure(new EngineOptions { ModelPath = path }, threads: 1));
    }
}
