using Frugal.Tests.Commands;

namespace Frugal.Tests.Native;

/// <summary>
/// native/cpu/hook.py on llama.cpp's two repack.cpp, told apart by their directory: arch/x86's gets Frugal's repacked
/// Q4_0 and Q4_K products first in their gemv and gemm, the generic one Frugal's few-column product before the loop that multiplies
/// a batch's last columns one at a time; each only where it was written for.
/// </summary>
public sealed class RepackHookTests : IDisposable
{
    private static readonly string HookScript = Path.Combine(TestModels.RepositoryRoot, "native", "cpu", "hook.py");
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Hook_X86RepackSource_RepackedQ4_0AndQ4KProductsCalledFirst()
    {
        var source = X86Source(X86RepackShape);

        var (code, _, errors) = CliRunner.Program("python3", HookScript, source);

        Assert.True(code == 0, errors);
        // Exactly: the include before the first gemv (Q4_0's), Frugal's call first in each gemv and gemm, nothing else
        // changed.
        const string Parameters = "(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, const void * GGML_RESTRICT vy, int nr, int nc) {\n";
        Assert.Equal(X86RepackShape
            .Replace("void ggml_gemv_q4_0_8x8_q8_0" + Parameters, "#include \"../../frugal-repack-hook.c\"\n\nvoid ggml_gemv_q4_0_8x8_q8_0" + Parameters
                + "    if (frugal_gemv_q4_0_8x8_q8_0(n, s, vx, vy, nr, nc)) {\n        return;\n    }\n", StringComparison.Ordinal)
            .Replace("void ggml_gemm_q4_0_8x8_q8_0" + Parameters, "void ggml_gemm_q4_0_8x8_q8_0" + Parameters
                + "    if (frugal_gemm_q4_0_8x8_q8_0(n, s, bs, vx, vy, nr, nc)) {\n        return;\n    }\n", StringComparison.Ordinal)
            .Replace("void ggml_gemv_q4_K_8x8_q8_K" + Parameters, "void ggml_gemv_q4_K_8x8_q8_K" + Parameters
                + "    if (frugal_gemv_q4_K_8x8_q8_K(n, s, vx, vy, nr, nc)) {\n        return;\n    }\n", StringComparison.Ordinal)
            .Replace("void ggml_gemm_q4_K_8x8_q8_K" + Parameters, "void ggml_gemm_q4_K_8x8_q8_K" + Parameters
                + "    if (frugal_gemm_q4_K_8x8_q8_K(n, s, bs, vx, vy, nr, nc)) {\n        return;\n    }\n", StringComparison.Ordinal), File.ReadAllText(source));

        var again = CliRunner.Program("python3", HookScript, source);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("hooked already", again.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("void ggml_gemm_q4_K_8x8_q8_K(int n", "void ggml_gemm_q4_K_8x8_q8_K_generic(int n")]
    [InlineData("void ggml_gemm_q4_0_8x8_q8_0(int n", "void ggml_gemm_q4_0_8x8_q8_0_generic(int n")]
    [InlineData("void ggml_gemv_q4_0_8x8_q8_0(int n, float * GGML_RESTRICT s, size_t bs,", "void ggml_gemv_q4_0_8x8_q8_0(int n, float * GGML_RESTRICT s, int bs,")]
    [InlineData("const void * GGML_RESTRICT vy, int nr, int nc) {\n    const int qk = QK_K;\n    const int nb = n / qk;\n    float sumf[8];",
                "const void * GGML_RESTRICT vy, int nr, int nc, int extra) {\n    const int qk = QK_K;\n    const int nb = n / qk;\n    float sumf[8];")]
    public void Hook_X86RepackSourceItWasNotWrittenFor_RefusedAndUnchanged(string anchor, string replacement)
    {
        // The gemm renamed (the generic code's name), or the gemv's parameters changed.
        var text = X86RepackShape.Replace(anchor, replacement, StringComparison.Ordinal);
        Assert.NotEqual(X86RepackShape, text);
        var source = X86Source(text);

        var (code, _, errors) = CliRunner.Program("python3", HookScript, source);

        Assert.Equal(1, code);
        Assert.Contains("is not the x86/repack.cpp the hook was written for", errors, StringComparison.Ordinal);
        Assert.Equal(text, File.ReadAllText(source));
    }

    [Fact]
    public void Hook_GenericRepackSource_FewColumnsCalledBeforeTheOneAtATimeLoopAndTheBufferAdvisedOnceAllocated()
    {
        var source = _temp.File("repack.cpp");
        File.WriteAllText(source, GenericRepackShape);

        var (code, _, errors) = CliRunner.Program("python3", HookScript, source);

        Assert.True(code == 0, errors);
        // Exactly: the include after repack.h's, the call (the columns past the last four, their results and activations)
        // just before the loop, which stays for anything the call leaves to llama.cpp, and the repacked buffer handed to
        // Frugal right after its allocation, before anything is written to it; nothing else changed.
        const string Loop = "        for (int iter = nrows - (nrows % 4); iter < nrows; iter++) {\n";
        Assert.Equal(GenericRepackShape
            .Replace("#include \"repack.h\"\n", "#include \"repack.h\"\n#include \"frugal-repack-columns-hook.c\"\n", StringComparison.Ordinal)
            .Replace(Loop, "        if (frugal_gemv_columns<BLOC_TYPE, INTER_SIZE, NB_COLS, PARAM_TYPE>(\n"
                + "                ne00, (float *) (dst_ptr + (nrows - nrows % 4) * nb1) + src0_start, nb1 / nb0, src0_ptr + src0_start * nb01,\n"
                + "                src1_ptr + src1_col_stride * (nrows - nrows % 4), nrows % 4, ncols)) {\n            return;\n        }\n" + Loop,
                StringComparison.Ordinal)
            .Replace("    buffer->buft              = buft;\n", "    frugal_repacked_buffer_allocated(buffer);\n    buffer->buft              = buft;\n", StringComparison.Ordinal),
            File.ReadAllText(source));

        var again = CliRunner.Program("python3", HookScript, source);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("hooked already", again.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("#include \"repack.h\"\n", "#include \"ggml-cpu-repack.h\"\n")]
    [InlineData("for (int iter = nrows - (nrows % 4); iter < nrows; iter++) {", "for (int64_t iter = nrows - (nrows % 4); iter < nrows; iter++) {")]
    [InlineData("    buffer->buft              = buft;\n", "    buffer->buft = buft;\n")]
    public void Hook_GenericRepackSourceItWasNotWrittenFor_RefusedAndUnchanged(string anchor, string replacement)
    {
        var source = _temp.File("repack.cpp");
        var text = GenericRepackShape.Replace(anchor, replacement, StringComparison.Ordinal);
        Assert.NotEqual(GenericRepackShape, text);
        File.WriteAllText(source, text);

        var (code, _, errors) = CliRunner.Program("python3", HookScript, source);

        Assert.Equal(1, code);
        Assert.Contains("is not the repack.cpp the hook was written for", errors, StringComparison.Ordinal);
        Assert.Equal(text, File.ReadAllText(source));
    }

    [Fact]
    public void Hook_X86RepackSourceOutsideAnX86Directory_RefusedAsTheGeneric()
    {
        // Told apart by the directory alone: arch/x86's source anywhere else is taken for the generic one, and refused.
        var source = _temp.File("repack.cpp");
        File.WriteAllText(source, X86RepackShape);

        var (code, _, errors) = CliRunner.Program("python3", HookScript, source);

        Assert.Equal(1, code);
        Assert.Contains("is not the repack.cpp the hook was written for", errors, StringComparison.Ordinal);
        Assert.Equal(X86RepackShape, File.ReadAllText(source));
    }

    // TEXT written as repack.cpp in a directory named x86: its path.
    private string X86Source(string text)
    {
        var source = Path.Combine(Directory.CreateDirectory(_temp.File("x86")).FullName, "repack.cpp");
        File.WriteAllText(source, text);
        return source;
    }

    // The places of b10361's arch/x86/repack.cpp the repacked Q4_0 and Q4_K hooks go (abridged).
    private const string X86RepackShape = """
        void ggml_gemv_q4_0_8x8_q8_0(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, const void * GGML_RESTRICT vy, int nr, int nc) {
            ggml_gemv_q4_0_8x8_q8_0_generic(n, s, bs, vx, vy, nr, nc);
        }

        void ggml_gemm_q4_0_8x8_q8_0(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, const void * GGML_RESTRICT vy, int nr, int nc) {
            ggml_gemm_q4_0_8x8_q8_0_generic(n, s, bs, vx, vy, nr, nc);
        }

        void ggml_gemv_q4_K_8x8_q8_K(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, const void * GGML_RESTRICT vy, int nr, int nc) {
            const int qk = QK_K;
            const int nb = n / qk;
            float sumf[8];
        }

        void ggml_gemm_q4_K_8x8_q8_K(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, const void * GGML_RESTRICT vy, int nr, int nc) {
            const int qk = QK_K;
            const int nb = n / qk;
        }

        """;

    // The places of b10361's generic ggml-cpu/repack.cpp the few-column hook goes (abridged).
    private const string GenericRepackShape = """
        #include "arch-fallback.h"

        #include <cmath>

        #include "repack.h"

        template <typename BLOC_TYPE, int64_t INTER_SIZE, int64_t NB_COLS, ggml_type PARAM_TYPE> class tensor_traits : public tensor_traits_base {
            void forward_mul_mat_one_chunk(ggml_compute_params * params, ggml_tensor * op, int64_t src0_start, int64_t src0_end, int64_t src1_start,
                                           int64_t src1_end) {
                // If there are more than three rows in src1, use gemm; otherwise, use gemv.
                if (nrows > 3) {
                    gemm<BLOC_TYPE, INTER_SIZE, NB_COLS, PARAM_TYPE>(ne00, (float *) (dst_ptr) + src0_start, nb1 / nb0,
                                                                     src0_ptr + src0_start * nb01, src1_ptr,
                                                                     nrows - (nrows % 4), ncols);
                }
                for (int iter = nrows - (nrows % 4); iter < nrows; iter++) {
                    gemv<BLOC_TYPE, INTER_SIZE, NB_COLS, PARAM_TYPE>(ne00, (float *) (dst_ptr + (iter * nb1)) + src0_start,
                                                                     ne01, src0_ptr + src0_start * nb01,
                                                                     src1_ptr + (src1_col_stride * iter), 1 /* nrows */, ncols);
                }
            }
        };

        static ggml_backend_buffer_t ggml_backend_cpu_repack_buffer_type_alloc_buffer(ggml_backend_buffer_type_t buft, size_t size) {
            ggml_backend_buffer_t buffer = ggml_backend_buft_alloc_buffer(ggml_backend_cpu_buffer_type(), size);

            if (buffer == nullptr) {
                return nullptr;
            }

            buffer->buft              = buft;
            buffer->iface.init_tensor = ggml_backend_cpu_repack_buffer_init_tensor;
            buffer->iface.set_tensor  = ggml_backend_cpu_repack_buffer_set_tensor;
            return buffer;
        }

        """;
}
