using Frugal.Cli.Native;
using Frugal.Memory;
using Frugal.Tests.Commands;

namespace Frugal.Tests.Native;

/// <summary>
/// Frugal's own CPU backend (<c>native/cpu</c>): its Q8_0, Q4_K, Q5_K and Q6_K matrix-vector products give llama.cpp's
/// AVX2 results bit for bit, its products of llama.cpp's repacked Q4_K their own defined arithmetic bit for bit, and its
/// Q8_K quantizer ggml's reference bytes (C harnesses compiled here), the hooks go into ggml-cpu.c and ops.cpp only
/// where they were written for (the repack.cpp hooks: <see cref="RepackHookTests"/>), and a build that fails installs
/// nothing and leaves the earlier install in place.
/// </summary>
public sealed class FrugalCpuKernelTests : IDisposable
{
    private static readonly string Sources = Path.Combine(TestModels.RepositoryRoot, "native", "cpu");
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void MatVec_FourStreamsOfRows_EqualsLlamaCppsArithmeticBitForBit()
    {
        // 5 row lengths x 11 row counts (1 to 256, most not a multiple of four) x 1-3 threads' row ranges.
        Assert.Equal("ok 315", CompileAndRun("matvec-test.c"));
    }

    [Fact]
    public void MatVecK_Q4KQ5KAndQ6K_EqualLlamaCppsArithmeticBitForBit()
    {
        // Per type (Q4_K, Q5_K, Q6_K): 5 row lengths x 10 row counts (1 to 67, most not a multiple of four) x 1-3
        // threads' row ranges, and one case with every quant, scale and activation at its extreme; then a prompt's
        // several columns: 3 row lengths x 3 row counts x 2, 3, 4, 5 or 9 columns (four at a time, the rest one by one)
        // x 1-3 threads, in tiles of a few rows, and one case at the extremes; and Q6_K with extreme scales, quants, d and
        // activations mixed among random ones: 4 row lengths x 4 row counts x 1-3 threads, one column and five.
        Assert.Equal("ok 969", CompileAndRun("matvec-k-test.c"));
    }

    [Fact]
    public void RepackedQ4K_EightRowsInterleaved_EqualsTheKernelsArithmeticBitForBit()
    {
        // llama.cpp's block_q4_Kx8 (written by the harness from its layout) times one column, times two and three plain
        // Q8_K columns at once (each equal to the one-column result), and times four columns at a time in block_q8_Kx4:
        // 10 row-group counts (1 to 32: the four streams and the groups left over) x 4 row lengths (1 to 11
        // super-blocks), in tiles of 4 KiB, and one case at the extremes.
        Assert.Equal("ok 164", CompileAndRun("repacked-q4-k-test.c"));
    }

    [Fact]
    public void RepackedQ4_0_EightRowsInterleaved_EqualsTheKernelsArithmeticBitForBit()
    {
        // llama.cpp's block_q4_0x8 (written by the harness from its layout) times one column, times two and three plain
        // Q8_0 columns at once (each equal to the one-column result) and times four columns at a time in block_q8_0x4:
        // 10 row-group counts (1 to 33) x 5 row lengths (1 to 70 blocks), in tiles of 2 KiB, and one case at the
        // extremes — with AVX2's 16-bit pairs, and on a CPU with AVX-512 VNNI with vpdpbusd too.
        Assert.Equal("ok 51", CompileAndRun("repacked-q4-0-test.c"));
        Assert.SkipUnless(HasAvx512Vnni(), "this test machine has no AVX-512 VNNI: the kernel's VNNI form not run");
        Assert.Equal("ok 51", CompileAndRun("repacked-q4-0-test.c", extra: ["-mavx512f", "-mavx512vl", "-mavx512vnni"]));
    }

    [Fact]
    public void MatMulQ8_0_SixteenRowsInterleaved_EqualsTheKernelsArithmeticBitForBit()
    {
        // 6 row lengths (1 to 512 blocks) x 5 counts of sixteen-row groups (1 to 40) x 1, 2, 3, 4, 5 or 9 columns, split
        // between 1-3 threads, strides with and without gaps; and two cases at the extremes — with AVX2's sign trick, and
        // on a CPU with AVX-512 VNNI with vpdpbusd too.
        Assert.Equal("ok 182", CompileAndRun("matmul-q8-0-test.c"));
        Assert.SkipUnless(HasAvx512Vnni(), "this test machine has no AVX-512 VNNI: the kernel's VNNI form not run");
        Assert.Equal("ok 182", CompileAndRun("matmul-q8-0-test.c", extra: ["-mavx512f", "-mavx512vl", "-mavx512vnni"]));
    }

    [Fact]
    public void Attention_GroupedHeadsOverAnF16Cache_AgreesWithDoublePrecision()
    {
        // Head sizes 16, 64, 128 x 2, 3, 8, 12 query heads per KV head x 1 to 1,000 cells x no mask, a causal edge,
        // random hidden cells, finite biases and every cell hidden: within 2e-6 of each row's largest output.
        Assert.Equal("ok 360", CompileAndRun("attention-test.c"));
    }

    [Fact]
    public void QuantizeQ8K_EveryKindOfInput_EqualsGgmlsReferenceByteForByte()
    {
        // Random rows of 1-22 blocks at 40 scales, ties of the largest magnitude with either sign first, zeros, one
        // non-zero at each position, halfway products, huge/tiny/denormal magnitudes, infinities, NaNs, random bits.
        // Compiled with GCC's default -ffp-contract=fast, as ggml's build compiles the quantizer.
        Assert.Equal("ok 1286", CompileAndRun("quantize-q8-k-test.c", "-ffp-contract=fast"));
    }

    [Fact]
    public void Hook_GgmlCpuSource_IncludedBeforeMulMatAndCalledAfterTheActivationsAreQuantized()
    {
        var source = _temp.File("ggml-cpu.c");
        File.WriteAllText(source, GgmlCpuShape);

        var (code, _, errors) = CliRunner.Program("python3", Path.Combine(Sources, "hook.py"), source);

        Assert.True(code == 0, errors);
        var hooked = File.ReadAllText(source);
        Assert.True(hooked.IndexOf("#include \"frugal-hook.c\"", StringComparison.Ordinal) < hooked.IndexOf("void ggml_compute_forward_mul_mat(", StringComparison.Ordinal));
        // After the threads' barrier (the activations quantized), before llamafile's sgemm of quantized activations.
        var call = hooked.IndexOf("if (frugal_mul_mat(params, dst)) {", StringComparison.Ordinal);
        Assert.True(call > hooked.IndexOf("ggml_barrier(params->threadpool);", StringComparison.Ordinal)
            && call < hooked.IndexOf("#if GGML_USE_LLAMAFILE\n    if (src1->type != vec_dot_type) {", StringComparison.Ordinal));
        // Q8_K's from_float is Frugal's, declared before the table; no other type's changes.
        Assert.True(hooked.IndexOf("static void frugal_quantize_row_q8_K(", StringComparison.Ordinal) < hooked.IndexOf("type_traits_cpu[GGML_TYPE_COUNT]", StringComparison.Ordinal));
        Assert.Contains("[GGML_TYPE_Q8_K] = {\n        .from_float               = frugal_quantize_row_q8_K,\n", hooked, StringComparison.Ordinal);
        Assert.Contains("[GGML_TYPE_Q6_K] = {\n        .from_float               = quantize_row_q6_K,\n", hooked, StringComparison.Ordinal);

        // Twice: refused, unchanged.
        var again = CliRunner.Program("python3", Path.Combine(Sources, "hook.py"), source);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("hooked already", again.Error, StringComparison.Ordinal);
        Assert.Equal(hooked, File.ReadAllText(source));
    }

    [Theory]
    [InlineData("#if GGML_USE_LLAMAFILE\n    if (src1->type != vec_dot_type) {\n", "#if GGML_USE_LLAMAFILE\n    if (src1->type != vec_dot_type && 1) {\n")]
    [InlineData("void ggml_compute_forward_mul_mat(\n", "void ggml_compute_forward_mul_mat(\nvoid ggml_compute_forward_mul_mat(\n")]
    [InlineData("        .from_float               = quantize_row_q8_K,\n", "        .from_float               = quantize_row_q8_K_ref,\n")]
    [InlineData("static const struct ggml_type_traits_cpu type_traits_cpu[GGML_TYPE_COUNT] = {\n", "static const struct ggml_type_traits_cpu type_traits_cpu[] = {\n")]
    public void Hook_SourceItWasNotWrittenFor_RefusedAndUnchanged(string anchor, string replacement)
    {
        // One anchor gone, or there twice: another llama.cpp than b10361.
        var source = _temp.File("ggml-cpu.c");
        var text = GgmlCpuShape.Replace(anchor, replacement, StringComparison.Ordinal);
        File.WriteAllText(source, text);

        var (code, _, errors) = CliRunner.Program("python3", Path.Combine(Sources, "hook.py"), source);

        Assert.Equal(1, code);
        Assert.Contains("is not the ggml-cpu.c the hook was written for", errors, StringComparison.Ordinal);
        Assert.Equal(text, File.ReadAllText(source));
    }

    [Fact]
    public void Hook_OpsSource_AttentionCalledFirstInFlashAttention()
    {
        var source = _temp.File("ops.cpp");
        File.WriteAllText(source, OpsShape);

        var (code, _, errors) = CliRunner.Program("python3", Path.Combine(Sources, "hook.py"), source);

        Assert.True(code == 0, errors);
        var hooked = File.ReadAllText(source);
        // Exactly: the include before ggml_compute_forward_flash_attn_ext, the call first in it, nothing else changed.
        const string Define = "void ggml_compute_forward_flash_attn_ext(\n        const ggml_compute_params * params,\n        ggml_tensor * dst) {\n";
        Assert.Equal(OpsShape.Replace(Define, "#include \"frugal-attention-hook.c\"\n\n" + Define
            + "    if (frugal_flash_attn_ext(params, dst)) {\n        return;\n    }\n", StringComparison.Ordinal), hooked);

        var again = CliRunner.Program("python3", Path.Combine(Sources, "hook.py"), source);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("hooked already", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Hook_OpsSourceItWasNotWrittenFor_RefusedAndUnchanged()
    {
        var source = _temp.File("ops.cpp");
        var text = OpsShape.Replace("        ggml_tensor * dst) {\n    switch", "        struct ggml_tensor * dst) {\n    switch", StringComparison.Ordinal);
        File.WriteAllText(source, text);

        var (code, _, errors) = CliRunner.Program("python3", Path.Combine(Sources, "hook.py"), source);

        Assert.Equal(1, code);
        Assert.Contains("is not the ops.cpp the hook was written for", errors, StringComparison.Ordinal);
        Assert.Equal(text, File.ReadAllText(source));
    }

    [Fact]
    public async Task Build_ScriptFails_NothingInstalledAndTheEarlierInstallStays()
    {
        var native = Directory.CreateDirectory(_temp.File("native")).FullName;
        var packaged = Directory.CreateDirectory(_temp.File("packaged")).FullName;
        foreach (var name in CpuBackendInstaller.PackagedLibraries)
        {
            File.WriteAllText(Path.Combine(packaged, name), name);
        }

        Directory.CreateDirectory(Path.Combine(native, "haswell"));
        InstalledCpuBackend.Record(native, "haswell", ["avx2"]);
        var record = File.ReadAllText(Path.Combine(native, InstalledCpuBackend.RecordFile));
        // A script that stops the way build.sh does when a tool is missing (what it prints reaches the caller).
        var scripts = Directory.CreateDirectory(_temp.File("scripts")).FullName;
        File.WriteAllText(Path.Combine(scripts, "build.sh"), "mkdir -p \"$1.partial\"\necho \"build.sh: cmake is needed\" >&2\nexit 1\n");
        var lines = new List<string>();

        var failure = await Assert.ThrowsAsync<BuildException>(() =>
            new CpuBackendBuilder(scripts, packaged).BuildAsync(native, ["avx2"], null, lines.Add, TestContext.Current.CancellationToken));

        Assert.Contains("build.sh exit 1", failure.Message, StringComparison.Ordinal);
        Assert.Contains("build.sh: cmake is needed", lines);
        Assert.Equal(["haswell", InstalledCpuBackend.RecordFile], Directory.GetFileSystemEntries(native).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(record, File.ReadAllText(Path.Combine(native, InstalledCpuBackend.RecordFile)));
    }

    [Fact]
    public async Task Build_NoScriptBesideTheProgram_SaysSo()
    {
        var failure = await Assert.ThrowsAsync<BuildException>(() =>
            new CpuBackendBuilder(_temp.File("nowhere"), _temp.Path).BuildAsync(_temp.File("native"), ["avx2"], null, _ => { }, TestContext.Current.CancellationToken));

        Assert.Contains("build.sh is missing", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingInstructions_TheKernelsOwn()
    {
        Assert.Empty(CpuBackendBuilder.MissingInstructions(new HashSet<string> { "avx2", "fma", "f16c", "sse4_2" }));
        Assert.Equal(["avx2", "fma"], CpuBackendBuilder.MissingInstructions(new HashSet<string> { "avx", "f16c" }));
    }

    /// <summary>Whether this machine's CPU has what the kernels' VNNI forms are compiled with (AVX-512 F, VL and VNNI).</summary>
    internal static bool HasAvx512Vnni() => new[] { "avx512f", "avx512vl", "avx512_vnni" }.All(new CpuProbe().Read().Flags.Contains);

    // Compiles one of native/cpu/test's harnesses with the kernel's instruction sets (and `contract`, how the compiler may
    // fuse a multiply and an add) and runs it: what it printed.
    private string CompileAndRun(string harness, string contract = "-ffp-contract=off", string[]? extra = null)
    {
        // Without AVX2 there is nothing to run (the kernels and the quantizer are compiled out, ggml's code is used).
        Assert.SkipUnless(new CpuProbe().Read().HasAvx2, "this test machine has no AVX2, which the kernels are written with");
        var program = _temp.File(Path.GetFileNameWithoutExtension(harness));

        var (built, _, compileErrors) = CliRunner.Program("cc", ["-O2", "-mavx2", "-mfma", "-mf16c", .. extra ?? [], contract, "-Wall", "-Wextra", "-Werror",
            "-o", program, Path.Combine(Sources, "test", harness), "-lm"]);
        Assert.True(built == 0, compileErrors);
        var (code, output, errors) = CliRunner.Program(program);

        Assert.True(code == 0, output + errors);
        return output.Trim();
    }

    // The place of b10361's ops.cpp the attention hook goes (abridged).
    private const string OpsShape = """
        static void ggml_compute_forward_flash_attn_ext_f16(
                const ggml_compute_params * params,
                ggml_tensor * dst) {
        }

        void ggml_compute_forward_flash_attn_ext(
                const ggml_compute_params * params,
                ggml_tensor * dst) {
            switch (dst->op_params[3]) {
                default:
                    ggml_compute_forward_flash_attn_ext_f16(params, dst);
            }
        }

        """;

    // The places of b10361's ggml-cpu.c the hook goes (abridged).
    private const string GgmlCpuShape = """
        static const struct ggml_type_traits_cpu type_traits_cpu[GGML_TYPE_COUNT] = {
            [GGML_TYPE_Q6_K] = {
                .from_float               = quantize_row_q6_K,
                .vec_dot_type             = GGML_TYPE_Q8_K,
            },
            [GGML_TYPE_Q8_K] = {
                .from_float               = quantize_row_q8_K,
            },
        };

        static void ggml_compute_forward_mul_mat_one_chunk(void) {
        }

        void ggml_compute_forward_mul_mat(
                const struct ggml_compute_params * params,
                      struct ggml_tensor * dst) {
            ggml_barrier(params->threadpool);

        #if GGML_USE_LLAMAFILE
            if (src1->type != vec_dot_type) {
                goto UseGgmlGemm2;
            }
        UseGgmlGemm2:;
        #endif

            const int64_t nr0 = ne0;
        }

        """;
}
