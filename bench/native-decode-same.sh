#!/usr/bin/env bash
# Builds bench/native-decode.c against the very libraries Frugal loads — LLamaSharp 0.30.0's libllama.so (llama.cpp
# 815a2a591), libggml.so and libggml-base.so, and the CPU backend beside them (the packaged one or what
# `frugal native pull` installed) — so "native" means the same binaries with no .NET in the process (issue 18).
#
#   bench/native-decode-same.sh LIB_DIR [OUT]     LIB_DIR: a folder with libllama.so, libggml.so, libggml-base.so,
#                                                 libggml-cpu.so (e.g. DATA/native/zen4); prints the program's path
#   env SRC: a llama.cpp b10361 checkout for the headers (default: bench/native-cpu-npm.sh's, which makes one)
#
# The headers: 815a2a591's own are not reachable from here; b10361's (ten days later) differ from them in one field
# that matters, llama_context_params.n_outputs_max_per_seq, which 815a2a591 does not have (LLamaSharp's
# LLamaContextParams: n_outputs_max at offset 20, n_threads at 24). Without it the struct has 815a2a591's layout.
# Never part of ./test.
set -euo pipefail
lib="$(cd "${1:?usage: native-decode-same.sh LIB_DIR [OUT]}" && pwd)"
out="${2:-$lib/native-decode-same}"
src="${SRC:-$HOME/.cache/frugal/native-cpu-npm/src}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for f in libllama.so libggml.so libggml-base.so libggml-cpu.so; do
  [[ -f $lib/$f ]] || { echo "native-decode-same: $lib has no $f" >&2; exit 1; }
done
[[ -f $src/include/llama.h ]] || { echo "native-decode-same: no llama.cpp headers in $src (run bench/native-cpu-npm.sh once, or set SRC)" >&2; exit 1; }
headers="$(mktemp -d)"
trap 'rm -rf "$headers"' EXIT
cp "$src"/include/*.h "$headers/"
grep -q 'uint32_t n_outputs_max_per_seq;' "$headers/llama.h" || { echo "native-decode-same: $src/include/llama.h is not b10361's" >&2; exit 1; }
sed -i '/^ *uint32_t n_outputs_max_per_seq;/d' "$headers/llama.h"
cc -O2 "$here/native-decode.c" -I "$headers" -I "$src/ggml/include" -L "$lib" -lllama -Wl,-rpath,"$lib" -o "$out"
echo "$out"
