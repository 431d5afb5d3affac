#!/usr/bin/env bash
# Builds llama.cpp natively (Debian's cmake and gcc) at the commit LLamaSharp 0.30.0's packaged native library
# was built from, for bench/quant_formats.py to compare against. Never part of ./test; nothing it builds is committed.
#
#   bench/native-llama.sh GIT_DIR [OUT_DIR]
#
# GIT_DIR: a git directory holding that commit (a clone or a bare mirror of llama.cpp); OUT_DIR (default
# ~/.cache/frugal/native-llama/COMMIT) receives the source, the build and bin/llama-bench, lib/libllama.so.
# Variants: FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON ..." adds cmake options; NAME picks another build folder;
# TARGETS="ggml-cpu" builds only the CPU backend (what frugal bench --native-library DIR/libllama.so needs beside
# the packaged libraries, see bench/RESULTS.md), default "llama-bench llama".
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
cmake -S "$out/src" -B "$out/build-$name" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
  -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
  -DLLAMA_BUILD_TOOLS=ON ${FLAGS:-} >/dev/null
cmake --build "$out/build-$name" -j "${JOBS:-2}" --target ${TARGETS:-llama-bench llama} >/dev/null
echo "$out/build-$name/bin"
