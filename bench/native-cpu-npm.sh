#!/usr/bin/env bash
# Builds llama.cpp's CPU backend (libggml-cpu.so) for this CPU from source a fresh machine can reach — the npm
# registry — and puts it beside LLamaSharp 0.30.0's packaged libllama.so, for `--native-library` (issue 18).
#
#   bench/native-cpu-npm.sh [OUT_DIR]        env: AMX=1 keeps ggml's AMX kernels (with the gcc 12 fix below)
#   PREBUILT=VARIANT bench/native-cpu-npm.sh [OUT_DIR]   takes a prebuilt CPU backend instead of compiling: one of the
#     per-microarchitecture builds npm's @node-llama-cpp/linux-x64@3.20.0 ships for the same b10361 (x64, sse42,
#     sandybridge, ivybridge, haswell, skylakex, cannonlake, cascadelake, cooperlake, icelake, alderlake,
#     sapphirerapids — AVX-512 VNNI and AMX —, zen4, piledriver); no compiler needed. Pick one the CPU supports.
#
# Why this works: LLamaSharp 0.30.0 binds llama.cpp 815a2a591 (its libllama.so's structs), and NuGet has no other build
# of it (only LLamaSharp.Backend.Cpu), Debian 12 none. npm's node-llama-cpp@3.20.0 ships a git bundle of llama.cpp
# b10361 (c2fd87ef4, ten days later) and @node-llama-cpp/linux-x64@3.20.0 prebuilt CPU backends of it: its llama.h
# differs (llama_context_params gained n_outputs_max_per_seq, so its libllama.so would break LLamaSharp's calls), but
# ggml's public and internal headers are the same as 815a2a591's and ggml/src/ggml-cpu differs in one preprocessor line
# (`__gnu_linux__` -> `__linux__`). So only the CPU backend is taken from there; libllama.so, libggml.so and
# libggml-base.so stay the packaged avx2 ones. Needs npm (and git, cmake, g++ from Debian to compile). Never part of ./test.
#
# AMX: GGML_NATIVE on an AMX CPU compiles ggml's AMX kernels, which Debian 12's gcc 12 miscompiles (its
# _tile_loadconfig says it reads 8 bytes, so the tile rows and widths are never stored: see bench/native-llama.sh).
# By default AMX is left out (-mno-amx-*); AMX=1 keeps it with a compiler barrier before _tile_loadconfig.
set -euo pipefail
version=3.20.0
commit=c2fd87ef425381d62715c8cd067b900ab0b4c11c
name=$([[ ${AMX:-0} == 1 ]] && echo amx || echo noamx)
out="${1:-$HOME/.cache/frugal/native-cpu-npm}"
mkdir -p "$out"
packaged="$(find "$HOME/.nuget/packages/llamasharp.backend.cpu/0.30.0" -path '*linux-x64/native/avx2' -type d | head -1)"
[[ -n $packaged ]] || { echo "native-cpu-npm: LLamaSharp.Backend.Cpu 0.30.0 not in the NuGet cache (build Frugal first)" >&2; exit 1; }
if [[ -n ${PREBUILT:-} ]]; then
  (cd "$out" && npm pack --silent "@node-llama-cpp/linux-x64@$version" >/dev/null 2>&1 && tar -xzf "node-llama-cpp-linux-x64-$version.tgz")
  grep -q '"release":"b10361"' "$out/package/bins/linux-x64/_nlcBuildMetadata.json" || { echo "native-cpu-npm: expected a b10361 build" >&2; exit 1; }
  built="$out/package/bins/linux-x64/libggml-cpu-$PREBUILT.so"
  [[ -f $built ]] || { echo "native-cpu-npm: no prebuilt CPU backend '$PREBUILT' (see the list above)" >&2; exit 1; }
  lib="$out/lib-prebuilt-$PREBUILT"
  rm -rf "$lib" && mkdir -p "$lib"
  cp "$packaged"/libllama.so "$packaged"/libggml.so "$packaged"/libggml-base.so "$lib/"
  cp "$built" "$lib/libggml-cpu.so"
  echo "$lib/libllama.so"
  exit 0
fi
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
lib="$out/lib-$name"
rm -rf "$lib" && mkdir -p "$lib"
cp "$packaged"/libllama.so "$packaged"/libggml.so "$packaged"/libggml-base.so "$lib/"
cp "$(find "$out/build-$name" -name 'libggml-cpu.so' | head -1)" "$lib/"
echo "$lib/libllama.so"
