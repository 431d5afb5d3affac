#!/usr/bin/env python3
"""Hooks Frugal's kernels into llama.cpp b10361's CPU backend sources, each file by its name:

- ggml-cpu.c: includes frugal-hook.c before ggml_compute_forward_mul_mat and calls frugal_mul_mat once the activations
  are quantized (after the threads' barrier), before llamafile's sgemm and ggml's own row loop; and makes frugal_quantize_row_q8_K (declared before ggml's table of CPU
  type traits, defined in frugal-hook.c) Q8_K's from_float, which quantizes the activations for Q4_K, Q5_K and Q6_K
  weights.
- ops.cpp: includes frugal-attention-hook.c before ggml_compute_forward_flash_attn_ext and calls
  frugal_flash_attn_ext first in it (decoded tokens' attention).
- arch/x86/repack.cpp: includes frugal-repack-hook.c before ggml_gemv_q4_0_8x8_q8_0 (the first of the four) and calls
  frugal_gemv_q4_0_8x8_q8_0 first in it and frugal_gemv_q4_K_8x8_q8_K first in ggml_gemv_q4_K_8x8_q8_K (a repacked
  Q4_0 or Q4_K matrix times a decoded token), and frugal_gemm_q4_0_8x8_q8_0 / frugal_gemm_q4_K_8x8_q8_K first in
  ggml_gemm_q4_0_8x8_q8_0 / ggml_gemm_q4_K_8x8_q8_K (times a prompt's columns).
- ggml-cpu/repack.cpp (the generic one): includes frugal-repack-columns-hook.c after its include of repack.h and calls
  frugal_gemv_columns in forward_mul_mat_one_chunk before the loop that multiplies a batch's columns past its last
  multiple of four one at a time (several sequences' decoded tokens: two or three at once for a repacked Q4_K matrix),
  and frugal_repacked_buffer_allocated in ggml_backend_cpu_repack_buffer_type_alloc_buffer right after the allocation
  (the repacked copy of the weights asks for 2 MiB pages before it is written).

The two repack.cpp are told apart by their directory: one in a directory named x86 is arch/x86's, any other the generic.

Refuses (exit 1, that file unchanged) a source that is not the one the hook was written for: each anchor must be there
exactly once."""
import os
import sys

DEFINE = "void ggml_compute_forward_mul_mat(\n"
BARRIER = "    ggml_barrier(params->threadpool);\n"
SGEMM = "\n#if GGML_USE_LLAMAFILE\n    if (src1->type != vec_dot_type) {\n"
CALL = "\n    if (frugal_mul_mat(params, dst)) {\n        return;\n    }\n"
TRAITS = "static const struct ggml_type_traits_cpu type_traits_cpu[GGML_TYPE_COUNT] = {\n"
DECLARE = "static void frugal_quantize_row_q8_K(const float * GGML_RESTRICT x, void * GGML_RESTRICT y, int64_t k);\n\n"
Q8_K = "    [GGML_TYPE_Q8_K] = {\n        .from_float               = quantize_row_q8_K,\n    },\n"
Q8_K_HOOKED = "    [GGML_TYPE_Q8_K] = {\n        .from_float               = frugal_quantize_row_q8_K,\n    },\n"

ATTENTION = "void ggml_compute_forward_flash_attn_ext(\n        const ggml_compute_params * params,\n        ggml_tensor * dst) {\n"
ATTENTION_CALL = "    if (frugal_flash_attn_ext(params, dst)) {\n        return;\n    }\n"

GEMV_Q4_0 = ("void ggml_gemv_q4_0_8x8_q8_0(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, "
             "const void * GGML_RESTRICT vy, int nr, int nc) {\n")
GEMV_Q4_0_CALL = "    if (frugal_gemv_q4_0_8x8_q8_0(n, s, vx, vy, nr, nc)) {\n        return;\n    }\n"
GEMM_Q4_0 = GEMV_Q4_0.replace("ggml_gemv_", "ggml_gemm_")
GEMM_Q4_0_CALL = "    if (frugal_gemm_q4_0_8x8_q8_0(n, s, bs, vx, vy, nr, nc)) {\n        return;\n    }\n"
GEMV_Q4_K = ("void ggml_gemv_q4_K_8x8_q8_K(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, "
             "const void * GGML_RESTRICT vy, int nr, int nc) {\n")
GEMV_Q4_K_CALL = "    if (frugal_gemv_q4_K_8x8_q8_K(n, s, vx, vy, nr, nc)) {\n        return;\n    }\n"
GEMM_Q4_K = GEMV_Q4_K.replace("ggml_gemv_", "ggml_gemm_")
GEMM_Q4_K_CALL = "    if (frugal_gemm_q4_K_8x8_q8_K(n, s, bs, vx, vy, nr, nc)) {\n        return;\n    }\n"

REPACK_H = '#include "repack.h"\n'
LEFTOVER = "        for (int iter = nrows - (nrows % 4); iter < nrows; iter++) {\n"
ALLOCATED = "    buffer->buft              = buft;\n    buffer->iface.init_tensor = ggml_backend_cpu_repack_buffer_init_tensor;\n"
ALLOCATED_CALL = "    frugal_repacked_buffer_allocated(buffer);\n"
LEFTOVER_CALL = ("        if (frugal_gemv_columns<BLOC_TYPE, INTER_SIZE, NB_COLS, PARAM_TYPE>(\n"
                 "                ne00, (float *) (dst_ptr + (nrows - nrows % 4) * nb1) + src0_start, nb1 / nb0, src0_ptr + src0_start * nb01,\n"
                 "                src1_ptr + src1_col_stride * (nrows - nrows % 4), nrows % 4, ncols)) {\n"
                 "            return;\n        }\n")


def hook_ggml_cpu(text):
    text = text.replace(DEFINE, '#include "frugal-hook.c"\n\n' + DEFINE).replace(BARRIER + SGEMM, BARRIER + CALL + SGEMM)
    return text.replace(TRAITS, DECLARE + TRAITS).replace(Q8_K, Q8_K_HOOKED)


def hook_ops(text):
    return text.replace(ATTENTION, '#include "frugal-attention-hook.c"\n\n' + ATTENTION + ATTENTION_CALL)


def hook_x86_repack(text):
    text = text.replace(GEMV_Q4_0, '#include "../../frugal-repack-hook.c"\n\n' + GEMV_Q4_0 + GEMV_Q4_0_CALL)
    text = text.replace(GEMM_Q4_0, GEMM_Q4_0 + GEMM_Q4_0_CALL)
    text = text.replace(GEMV_Q4_K, GEMV_Q4_K + GEMV_Q4_K_CALL)
    return text.replace(GEMM_Q4_K, GEMM_Q4_K + GEMM_Q4_K_CALL)


def hook_repack(text):
    text = text.replace(REPACK_H, REPACK_H + '#include "frugal-repack-columns-hook.c"\n')
    text = text.replace(LEFTOVER, LEFTOVER_CALL + LEFTOVER)
    return text.replace(ALLOCATED, ALLOCATED_CALL + ALLOCATED)


FILES = {
    "ggml-cpu.c": ('#include "frugal-hook.c"', (DEFINE, BARRIER + SGEMM, TRAITS, Q8_K), hook_ggml_cpu),
    "ops.cpp": ('#include "frugal-attention-hook.c"', (ATTENTION,), hook_ops),
    "x86/repack.cpp": ('#include "../../frugal-repack-hook.c"', (GEMV_Q4_0, GEMM_Q4_0, GEMV_Q4_K, GEMM_Q4_K), hook_x86_repack),
    "repack.cpp": ('#include "frugal-repack-columns-hook.c"', (REPACK_H, LEFTOVER, ALLOCATED), hook_repack),
}


def hook(path):
    name = os.path.basename(path)
    if name == "repack.cpp" and os.path.basename(os.path.dirname(os.path.abspath(path))) == "x86":
        name = "x86/repack.cpp"
    if name not in FILES:
        print(f"hook.py: {path} is none of ggml-cpu.c, ops.cpp, repack.cpp", file=sys.stderr)
        return 1
    marker, anchors, apply = FILES[name]
    with open(path) as f:
        text = f.read()
    if marker in text:
        print(f"hook.py: {path} is hooked already", file=sys.stderr)
        return 1
    for anchor in anchors:
        if text.count(anchor) != 1:
            print(f"hook.py: {path} is not the {name} the hook was written for ({anchor.strip()!r} found {text.count(anchor)} times)", file=sys.stderr)
            return 1
    with open(path, "w") as f:
        f.write(apply(text))
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print("usage: hook.py GGML_CPU_C [OPS_CPP] [ARCH_X86_REPACK_CPP] [REPACK_CPP]", file=sys.stderr)
        sys.exit(2)
    sys.exit(max(hook(path) for path in sys.argv[1:]))
