#!/usr/bin/env bash
# Builds llama.cpp's CPU backend (libggml-cpu.so) for this CPU from source a fresh machine can reach — the npm
# registry — and puts it beside LLamaSharp 0.30.0's packaged libllama.so, for `--native-library` (issue 18).
#
#   bench/native-cpu-npm.sh [OUT_DIR]        env: AMX=1 keeps ggml's AMX kernels (with the gcc 12 fix below)
#
# Why this works: LLamaSharp 0.30.0 binds llama.cpp 815a2a591 (its libllama.so's structs), and no package in the
# registries this project reaches ships that commit's source or a faster build of it (NuGet has only LLamaSharp.Backend.Cpu).
# npm's node-llama-cpp@3.20.0 ships a git bundle of llama.cpp b10361 (c2fd87ef4, ten days later): its llama.h differs
# (llama_context_params gained n_outputs_max_per_seq, so its libllama.so would break LLamaSharp's calls), but ggml's
# public and internal headers are the same and its ggml/src/ggml-cpu differs from 815a2a591's in one preprocessor line
# (`__gnu_linux__` → `__linux__`). So only the CPU backend is built here; libllama.so, libggml.so and libggml-base.so
# stay the packaged avx2 ones. Needs npm, git, cmake and g++ (Debian packages). Never part of ./test.
#
# AMX: GGML_NATIVE on an AMX CPU compiles ggml's AMX kernels, which Debian 12's gcc 12 miscompiles (its
# _tile_loadconfig says it reads 8 bytes, so the tile rows and widths are never stored: see bench/native-llama.sh).
# By default AMX is left out (-mno-amx-*); AMX=1 keeps it with a compiler barrier before _tile_loadconfig.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=3.20.0
commit=c2fd87ef425381d62715c8cd067b900ab0b4c11c
name=$([[ ${AMX:-0} == 1 ]] && echo amx || echo noamx)
out="${1:-$HOME/.cache/frugal/native-cpu-npm}"
mkdir -p "$out"
if [[ ! -d "$out/src/.git" ]]; then
  (cd "$out" && npm pack --silent "node-llama-cpp@$version" >/dev/null 2>&1 && tar -xzf "node-llama-cpp-$version.tgz" package/llama/gitRelease.bundle)
  git clone -q "$out/package/llama/gitRelease.bundle" "$out/src"
fi
[[ $(git -C "$out/src" rev-parse HEAD) == "$commit" ]] || { echo "native-cpu-npm: expected llama.cpp $commit in node-llama-cpp@$version" >&2; exit 1; }
git -C "$out/src" checkout -q -- .
flags="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
if [[ ${AMX:-0} == 1 ]]; then
  flags=""
  sed -i 's|^    _tile_loadconfig(&tc);|    __asm__ __volatile__("" : : "r"(\&tc) : "memory"); // frugal: keep the tile configuration\n    _tile_loadconfig(\&tc);|' \
    "$out/src/ggml/src/ggml-cpu/amx/mmq.cpp"
fi
cmake -S "$out/src" -B "$out/build-$name" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TOOLS=OFF >/dev/null
cmake --build "$out/build-$name" -j "${JOBS:-2}" --target ggml-cpu >/dev/null
packaged="$(find "$HOME/.nuget/packages/llamasharp.backend.cpu/0.30.0" -path '*linux-x64/native/avx2' -type d | head -1)"
[[ -n $packaged ]] || { echo "native-cpu-npm: LLamaSharp.Backend.Cpu 0.30.0 not in the NuGet cache (build Frugal first)" >&2; exit 1; }
lib="$out/lib-$name"
rm -rf "$lib" && mkdir -p "$lib"
cp "$packaged"/libllama.so "$packaged"/libggml.so "$packaged"/libggml-base.so "$lib/"
cp "$(find "$out/build-$name" -name 'libggml-cpu.so' | head -1)" "$lib/"
echo "$lib/libllama.so"
