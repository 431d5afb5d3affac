#!/usr/bin/env python3
"""Hooks Frugal's matrix-vector product into ggml's CPU matrix multiplication: in GGML_CPU_C (llama.cpp b10361's
ggml/src/ggml-cpu/ggml-cpu.c) it includes frugal-hook.c before ggml_compute_forward_mul_mat and calls frugal_mul_mat
once the activations are quantized, before ggml's own row loop; and it makes frugal_quantize_row_q8_K (declared before
ggml's table of CPU type traits, defined in frugal-hook.c) Q8_K's from_float, which quantizes the activations for
Q4_K, Q5_K and Q6_K weights. Refuses (exit 1, file unchanged) a source that is not the one the hook was written for:
each anchor must be there exactly once."""
import sys

DEFINE = "void ggml_compute_forward_mul_mat(\n"
LOOP = "UseGgmlGemm2:;\n#endif\n"
CALL = "\n    if (frugal_mul_mat(params, dst)) {\n        return;\n    }\n"
TRAITS = "static const struct ggml_type_traits_cpu type_traits_cpu[GGML_TYPE_COUNT] = {\n"
DECLARE = "static void frugal_quantize_row_q8_K(const float * GGML_RESTRICT x, void * GGML_RESTRICT y, int64_t k);\n\n"
Q8_K = "    [GGML_TYPE_Q8_K] = {\n        .from_float               = quantize_row_q8_K,\n    },\n"
Q8_K_HOOKED = "    [GGML_TYPE_Q8_K] = {\n        .from_float               = frugal_quantize_row_q8_K,\n    },\n"

def main(path):
    with open(path) as f:
        text = f.read()
    if '#include "frugal-hook.c"' in text:
        print(f"hook.py: {path} is hooked already", file=sys.stderr)
        return 1
    for anchor in (DEFINE, LOOP, TRAITS, Q8_K):
        if text.count(anchor) != 1:
            print(f"hook.py: {path} is not the ggml-cpu.c the hook was written for ({anchor.strip()!r} found {text.count(anchor)} times)", file=sys.stderr)
            return 1
    text = text.replace(DEFINE, '#include "frugal-hook.c"\n\n' + DEFINE).replace(LOOP, LOOP + CALL)
    text = text.replace(TRAITS, DECLARE + TRAITS).replace(Q8_K, Q8_K_HOOKED)
    with open(path, "w") as f:
        f.write(text)
    return 0

if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: hook.py GGML_CPU_C", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
