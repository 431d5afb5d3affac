#!/usr/bin/env python3
"""Hooks Frugal's matrix-vector product into ggml's CPU matrix multiplication: in GGML_CPU_C (llama.cpp b10361's
ggml/src/ggml-cpu/ggml-cpu.c) it includes frugal-hook.c before ggml_compute_forward_mul_mat and calls frugal_mul_mat
once the activations are quantized, before ggml's own row loop. Refuses (exit 1, file unchanged) a source that is not
the one the hook was written for: each anchor must be there exactly once."""
import sys

DEFINE = "void ggml_compute_forward_mul_mat(\n"
LOOP = "UseGgmlGemm2:;\n#endif\n"
CALL = "\n    if (frugal_mul_mat(params, dst)) {\n        return;\n    }\n"

def main(path):
    with open(path) as f:
        text = f.read()
    if '#include "frugal-hook.c"' in text:
        print(f"hook.py: {path} is hooked already", file=sys.stderr)
        return 1
    for anchor in (DEFINE, LOOP):
        if text.count(anchor) != 1:
            print(f"hook.py: {path} is not the ggml-cpu.c the hook was written for ({anchor.strip()!r} found {text.count(anchor)} times)", file=sys.stderr)
            return 1
    text = text.replace(DEFINE, '#include "frugal-hook.c"\n\n' + DEFINE).replace(LOOP, LOOP + CALL)
    with open(path, "w") as f:
        f.write(text)
    return 0

if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: hook.py GGML_CPU_C", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
