#!/usr/bin/env bash
# Builds llama.cpp natively (Debian's cmake and gcc) at the commit LLamaSharp 0.30.0's packaged native library
# was built from, for bench/quant_formats.py to compare against. Never part of ./test; nothing it builds is committed.
#
#   bench/native-llama.sh GIT_DIR [OUT_DIR]
#
# GIT_DIR: a git directory holding that commit (a clone or a bare mirror of llama.cpp); OUT_DIR (default
# ~/.cache/frugal/native-llama/COMMIT) receives the source, the build and bin/llama-bench, lib/libllama.so.
# Variants: FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON ..." adds cmake options; NAME picks another build folder;
# TARGETS="ggml-cpu" builds only the CPU backend, default "llama-bench llama" (llama-bench's common library is slow to
# compile on a busy machine; bench/native-decode.c, one C file, measures prompt and decode the same way).
#
# AMX is left out (-mno-amx-*): GGML_NATIVE on an AMX CPU compiles ggml's AMX matrix kernels, and with Debian 12's
# gcc 12 their tile configuration is broken — gcc's _tile_loadconfig tells the compiler it reads 8 bytes, so the
# stores of the rows and column widths are dropped as dead (objdump: only the palette byte is written before
# ldtilecfg), so the first AMX prompt (weights in llama.cpp's AMX buffer, its default) dies: SIGILL at tilezero under
# LLamaSharp, SIGSEGV at ldtilecfg in bench/native-decode.c with no .NET in the process. That was the crash of
# self-built libraries under LLamaSharp (bench/RESULTS.md, "Quantization formats"): not the loader, not the structs.
# AMX=1 builds it anyway, with a one-line patch (below) that makes the compiler write the whole configuration first;
# that build runs through frugal bench --native-library and natively.
set -euo pipefail
# The commit LLamaSharp 0.30.0's packaged libraries report (ggml_commit() "815a2a591", ggml 0.18.0; see frugal --version).
# Not c0c7e147 (ggml 0.12.0), which its release notes name: a library built from that crashes under LLamaSharp 0.30.0.
commit=815a2a5915f22ce6a760c676389c5dfe8535c08f
git_dir="${1:?usage: bench/native-llama.sh GIT_DIR [OUT_DIR]}"
out="${2:-$HOME/.cache/frugal/native-llama/$commit}"
name="${NAME:-native}"
mkdir -p "$out"
if [[ ! -f "$out/src/.extracted" ]]; then
  rm -rf "$out/src" && mkdir -p "$out/src"
  # models/ holds large vocabulary files a snapshot may lack; the build needs none of them.
  git --git-dir="$git_dir" archive "$commit" -- CMakeLists.txt cmake common ggml include src tools vendor examples tests app licenses LICENSE \
    | tar -x -C "$out/src"
  touch "$out/src/.extracted"
fi
no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
[[ ${AMX:-0} == 1 ]] && no_amx=""
if [[ ${AMX:-0} == 1 ]] && ! grep -q "frugal: keep the tile configuration" "$out/src/ggml/src/ggml-cpu/amx/mmq.cpp"; then
  # A compiler barrier that takes the configuration's address: every store to it happens before ldtilecfg reads it.
  sed -i 's|^    _tile_loadconfig(&tc);|    __asm__ __volatile__("" : : "r"(\&tc) : "memory"); // frugal: keep the tile configuration\n    _tile_loadconfig(\&tc);|' \
    "$out/src/ggml/src/ggml-cpu/amx/mmq.cpp"
fi
cmake -S "$out/src" -B "$out/build-$name" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
  -DCMAKE_C_FLAGS="$no_amx" -DCMAKE_CXX_FLAGS="$no_amx" \
  -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
  -DLLAMA_BUILD_TOOLS=ON ${FLAGS:-} >/dev/null
cmake --build "$out/build-$name" -j "${JOBS:-2}" --target ${TARGETS:-llama-bench llama} >/dev/null
echo "$out/build-$name/bin"
