#!/usr/bin/env bash
# Builds Frugal's llama.cpp CPU backend: llama.cpp b10361's libggml-cpu.so (the source node-llama-cpp 3.20.0 ships on
# the npm registry, the commit `frugal native pull` takes its prebuilt backends from) with Frugal's Q8_0, Q4_K, Q5_K and
# Q6_K matrix-vector products (frugal-matvec.h, frugal-matvec-k.h, frugal-hook.c) and, built for a CPU with AVX-512 VNNI,
# its Q8_0 products of several columns (frugal-matmul-q8-0.h) hooked into ggml's matrix multiplication, its products of
# llama.cpp's repacked Q4_0 and Q4_K (frugal-repacked-q4-0.h, frugal-repacked-q4-k.h, frugal-repack-hook.c; two or three
# Q4_K columns at once through frugal-repack-columns-hook.c) ahead of llama.cpp's own, its Q8_K quantizer of activations
# (frugal-quantize-q8-k.h) in place of ggml's, and its attention for decoded tokens (frugal-attention.h,
# frugal-attention-hook.c) ahead of ggml's flash attention, compiled for this CPU (-march=native) or for any x86-64-v3
# CPU (TARGET=avx2), and puts it beside LLamaSharp 0.30.0's packaged libllama.so, libggml.so and libggml-base.so.
#
#   native/cpu/build.sh OUT_DIR [WORK_DIR]   prints OUT_DIR/libllama.so; needs npm, git, cmake, g++, python3
#   TARGET=avx2 native/cpu/build.sh OUT_DIR  portable: AVX, AVX2, FMA, F16C and BMI2, no AVX-512 (LLamaSharp's avx2
#                                            variant's set; the build ./release ships). Default TARGET=native.
#   STOCK=1 native/cpu/build.sh OUT_DIR      the same build without Frugal's hook (to measure against)
#   env: FRUGAL_NPM_REGISTRY=BASE_URL (another npm registry), FRUGAL_PACKAGED_NATIVE=DIR (LLamaSharp's avx2 libraries),
#        JOBS (compiler processes; default: the CPUs)
#
# WORK_DIR (default ~/.cache/frugal/llama.cpp-b10361) keeps the source (34 MB download) and the build (~250 MB).
# `frugal native build` runs this with a work directory it deletes after, and records the result the way
# `native pull` records a prebuilt backend. Not part of ./test (a minute of compiling on two cores).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version=3.20.0
commit=c2fd87ef425381d62715c8cd067b900ab0b4c11c
out="${1:?usage: build.sh OUT_DIR [WORK_DIR]}"
cache="${2:-${XDG_CACHE_HOME:-$HOME/.cache}/frugal/llama.cpp-b10361}"
packaged="${FRUGAL_PACKAGED_NATIVE:-$(find "$HOME/.nuget/packages/llamasharp.backend.cpu/0.30.0" -path '*linux-x64/native/avx2' -type d 2>/dev/null | head -1)}"
[[ -n $packaged && -f $packaged/libllama.so ]] || { echo "build.sh: LLamaSharp.Backend.Cpu 0.30.0's libraries not found (build Frugal first, or set FRUGAL_PACKAGED_NATIVE)" >&2; exit 1; }
for tool in npm git cmake g++ python3; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is needed (Debian: apt-get install -y npm git cmake g++)" >&2; exit 1; }
done
mkdir -p "$cache"
export npm_config_cache="$cache/npm-cache"   # npm's own cache in the work directory (a service user may have no home)
if [[ ! -d "$cache/src/.git" ]]; then
  (cd "$cache" && npm pack --silent ${FRUGAL_NPM_REGISTRY:+--registry "$FRUGAL_NPM_REGISTRY"} "node-llama-cpp@$version" >/dev/null && tar -xzf "node-llama-cpp-$version.tgz" package/llama/gitRelease.bundle)
  rm -rf "$cache/src.partial" && git -c advice.detachedHead=false clone -q "$cache/package/llama/gitRelease.bundle" "$cache/src.partial" && mv "$cache/src.partial" "$cache/src"
fi
[[ $(git -C "$cache/src" rev-parse HEAD) == "$commit" ]] || { echo "build.sh: expected llama.cpp $commit in node-llama-cpp@$version" >&2; exit 1; }
git -C "$cache/src" checkout -q -- . && git -C "$cache/src" clean -qfd ggml/src/ggml-cpu
target="${TARGET:-native}"
case $target in
  native) arch=(-DGGML_NATIVE=ON) ;;
  # LLamaSharp's avx2 variant's set (x86-64-v3's vector instructions): what Frugal's kernels are written with (AVX2, FMA,
  # F16C) plus what ggml's own AVX2 code uses (BMI2 in the K-quant dot products); no AVX-512, no AVX-VNNI.
  avx2) arch=(-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
              -DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF
              -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF) ;;
  *) echo "build.sh: TARGET=$target is neither native nor avx2" >&2; exit 2 ;;
esac
name=frugal
if [[ ${STOCK:-0} != 1 ]]; then
  cpu="$cache/src/ggml/src/ggml-cpu"
  cp "$here/frugal-matvec.h" "$here/frugal-matvec-k.h" "$here/frugal-matmul-q8-0.h" "$here/frugal-quantize-q8-k.h" "$here/frugal-hook.c" \
     "$here/frugal-attention.h" "$here/frugal-attention-hook.c" "$here/frugal-setting.h" "$here/frugal-repacked-q4-0.h" "$here/frugal-repacked-q4-k.h" \
     "$here/frugal-repack-hook.c" "$here/frugal-repack-columns-hook.c" "$cpu/"
  python3 "$here/hook.py" "$cpu/ggml-cpu.c" "$cpu/ops.cpp" "$cpu/arch/x86/repack.cpp" "$cpu/repack.cpp"
else
  name=stock
fi
build="$cache/build-$name"
[[ $target == native ]] || build+="-$target"
# The output of cmake and the compiler goes to a log, shown (its end) only when the build fails: built for AVX-512
# (TARGET=native on such a CPU) Debian 12's GCC prints ≈14,000 lines of false "may be used uninitialized" warnings from
# its own AVX-512 intrinsics in ggml's code.
log="$build.log"
failed() { tail -n 60 "$log" >&2; echo "build.sh: $1 failed (whole log: $log)" >&2; exit 1; }
# Like the prebuilt backends `native pull` installs: no OpenMP (ggml's own thread pool), and a library that finds its
# neighbours where it is put — it needs libggml-base.so (unversioned, the packaged copy's name) next to it ($ORIGIN).
cmake -S "$cache/src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON "${arch[@]}" -DGGML_OPENMP=OFF -DLLAMA_CURL=OFF \
  -DCMAKE_PLATFORM_NO_VERSIONED_SONAME=ON -DCMAKE_SKIP_BUILD_RPATH=ON -DCMAKE_SHARED_LINKER_FLAGS='-Wl,-rpath,$ORIGIN' \
  -DCMAKE_C_FLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" -DCMAKE_CXX_FLAGS="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16" \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_TOOLS=OFF >"$log" 2>&1 || failed "cmake's configuration"
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target ggml-cpu >>"$log" 2>&1 || failed "the compile"
rm -rf "$out.partial" && mkdir -p "$out.partial"
cp "$packaged"/libllama.so "$packaged"/libggml.so "$packaged"/libggml-base.so "$out.partial/"
cp "$(find "$build" -name 'libggml-cpu.so' | head -1)" "$out.partial/"
needed="$(readelf -d "$out.partial/libggml-cpu.so" 2>/dev/null | grep -c 'NEEDED.*\[libggml-base.so\]' || true)"
[[ $needed == 1 ]] || { echo "build.sh: the built libggml-cpu.so does not link to libggml-base.so by that name" >&2; exit 1; }
if [[ $target == avx2 ]]; then
  # A portable build must run on every AVX2 CPU: not one AVX-512 instruction (a zmm or mask register) in it.
  wide="$(objdump -d --no-show-raw-insn "$out.partial/libggml-cpu.so" | grep -cE '%zmm|%k[0-7]\b' || true)"
  [[ $wide == 0 ]] || { echo "build.sh: the avx2 build has $wide AVX-512 instructions" >&2; exit 1; }
fi
rm -rf "$out" && mv "$out.partial" "$out"
echo "$out/libllama.so"
