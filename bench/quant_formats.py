#!/usr/bin/env python3
"""Every quantization of the TinyLlama shape in the 1 CPU / 2 GiB box: Frugal (frugal bench --profile quick, which
also measures plain LLamaSharp and the bandwidth ceiling) against a native llama.cpp build of the same commit
(bench/native-llama.sh), alternating format by format and round by round. Never part of ./test.

    bench/quant_formats.py [--native-bin DIR | --native-same LIB_DIR] [--native-stock LIB_DIR] [--models DIR] [--rounds 3]
                           [--formats q4_0,q8_0] [--frugal-args "--repack off"] [--out FILE]

Without --native-bin (no llama-bench built) or --native-same only Frugal and plain LLamaSharp are measured.
--native-same LIB_DIR: the very libraries Frugal loads, both sides — Frugal runs with --native-library LIB_DIR/libllama.so,
"native" is LIB_DIR/native-decode-same (bench/native-decode-same.sh makes it: the same libraries with no .NET in the
process), repacking as Frugal's auto does (the Q4_* files; Q4_K_M not with a Frugal backend that has kernels for the
mapped Q4_K but none for the repacked one). Both native sides
decode after their 128-token prompt, as `frugal bench` does (llama-bench decodes from an empty cache, 5-9 % faster a
token here: the attention over the prompt).
--native-stock LIB_DIR: a third side, measured in the same rounds — llama.cpp's own CPU backend of the same commit built
for this CPU without Frugal's kernels (STOCK=1 native/cpu/build.sh LIB_DIR, then bench/native-decode-same.sh LIB_DIR),
with llama.cpp's defaults (weights repacked wherever its code has a repacked form): the issue's "native llama.cpp build".

Models: DIR/tinyllama-shaped-FORMAT.gguf, written with ./frugal model synth when missing.
"""
import argparse, json, os, re, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IN_BOX = "/work/shared/tools/in-box"
FORMATS = ["q4_0", "q4_k_m", "q5_k_m", "q6_k", "q8_0", "f16"]


def model(models, fmt):
    path = os.path.join(models, f"tinyllama-shaped-{fmt}.gguf")
    if not os.path.exists(path):
        vocab = os.path.join(ROOT, "..", "shared", "models", "ggml-vocab-llama-spm.gguf")
        extra = ["--vocab-from", vocab] if os.path.exists(vocab) else []
        subprocess.run([os.path.join(ROOT, "frugal"), "model", "synth", "--shape", "tinyllama-1.1b", "--quant", fmt, *extra, "-o", path], check=True)
    return path


def peak_mib(stderr):
    m = re.search(r"peak_memory_mib=(\d+)", stderr)
    return int(m.group(1)) if m else None


def frugal(path, extra):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    extra = [x for x in extra if x]
    cmd = [os.path.join(ROOT, "frugal"), "bench", "--model", path, "--box", "1,2g", "--profile", "quick", "--json", out, *extra]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stdout[-2000:] + run.stderr[-2000:])
        return None
    with open(out) as f:
        report = json.load(f)
    os.unlink(out)
    return report


def native(bin_dir, path):
    cmd = [IN_BOX, "--cpus", "1", "--memory", "2G", "--", os.path.join(bin_dir, "llama-bench"), "-m", path,
           "-p", "128", "-n", "64", "-t", "1", "-r", "1", "-o", "json"]
    env = dict(os.environ, LD_LIBRARY_PATH=bin_dir)
    run = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        sys.stderr.write(run.stderr[-2000:])
        return None
    rows = json.loads(run.stdout[run.stdout.index("["):])
    prompt = next(r["avg_ts"] for r in rows if r["n_prompt"] > 0)
    decode = next(r["avg_ts"] for r in rows if r["n_gen"] > 0)
    return {"prompt": prompt, "decode": decode, "peak_mib": peak_mib(run.stderr)}


def exports(lib_dir, name):
    """True when the CPU backend exports NAME: frugal_matvec_types (Frugal's own kernels on the mapped file: Q8_0, Q4_K,
    Q5_K, Q6_K), frugal_repacked_types (its own for llama.cpp's repacked Q4_K)."""
    run = subprocess.run(["nm", "-D", "--defined-only", os.path.join(lib_dir, "libggml-cpu.so")], capture_output=True, text=True)
    return name in run.stdout


def native_decode(lib_dir, path, repack):
    """LIB_DIR/native-decode-same in the box: prompt 128, then 64 tokens decoded after it (as frugal bench decodes)."""
    cmd = [IN_BOX, "--cpus", "1", "--memory", "2G", "--", os.path.join(lib_dir, "native-decode-same"), path, "128", "64", "1", repack, "f16", "after"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stderr[-2000:])
        return None
    row = json.loads(run.stdout.strip().splitlines()[-1])
    return {"prompt": row["prompt_tokens_per_second"], "decode": row["decode_tokens_per_second"], "peak_mib": peak_mib(run.stderr)}


def native_same(lib_dir, path, fmt):
    # As Frugal's repack auto: the 4-bit files, but not Q4_K_M when the backend has its own Q4_K/Q6_K kernels on the
    # mapped file and none for the repacked Q4_K.
    mapped_q4_k = exports(lib_dir, "frugal_matvec_types") and not exports(lib_dir, "frugal_repacked_types")
    return native_decode(lib_dir, path, "1" if fmt == "q4_0" or (fmt.startswith("q4") and not mapped_q4_k) else "0")


def native_stock(lib_dir, path):
    # llama.cpp's defaults: repacked wherever its code has a repacked form.
    return native_decode(lib_dir, path, "1")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--native-bin", help="the folder holding llama-bench (bench/native-llama.sh prints it)")
    p.add_argument("--native-same", help="a folder of libraries with native-decode-same beside them (bench/native-decode-same.sh)")
    p.add_argument("--native-stock", help="a folder of llama.cpp's own CPU backend with native-decode-same beside it (see above)")
    p.add_argument("--models", default=os.path.join(ROOT, "models"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--formats", default=",".join(FORMATS))
    p.add_argument("--frugal-args", default="", help="extra frugal bench arguments (an A/B of a setting)")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "quant-formats.json"))
    a = p.parse_args()
    if a.native_same:
        a.frugal_args = (a.frugal_args + " --native-library " + os.path.join(os.path.abspath(a.native_same), "libllama.so")).strip()
    os.makedirs(a.models, exist_ok=True)
    formats = a.formats.split(",")
    paths = {f: model(a.models, f) for f in formats}
    runs = {f: {"frugal": [], "native": [], "stock": []} for f in formats}
    for r in range(a.rounds):
        for f in formats:
            order = ["native", "frugal"] if r % 2 == 0 else ["frugal", "native"]
            if not a.native_bin and not a.native_same:
                order = ["frugal"]
            if a.native_stock:
                order.insert(1, "stock")
            for side in order:
                if side == "stock":
                    res = native_stock(a.native_stock, paths[f])
                elif side == "native":
                    res = native_same(a.native_same, paths[f], f) if a.native_same else native(a.native_bin, paths[f])
                else:
                    rep = frugal(paths[f], a.frugal_args.split())
                    res = None if rep is None else {
                        "prompt": rep["prompt_tokens_per_second"], "decode": rep["decode_tokens_per_second"],
                        "plain_prompt": rep["baseline"]["prompt_tokens_per_second"], "plain_decode": rep["baseline"]["decode_tokens_per_second"],
                        "peak_mib": rep["peak_memory_bytes"] / 1048576, "ceiling": rep.get("ceiling"),
                    }
                runs[f][side].append(res)
                print(f"{time.strftime('%H:%M:%S')} round {r + 1} {f} {side}: {res}", flush=True)
    summary = {}
    for f in formats:
        fr = [x for x in runs[f]["frugal"] if x]
        na = [x for x in runs[f]["native"] if x]
        st = [x for x in runs[f]["stock"] if x]
        med = lambda xs, k: statistics.median([x[k] for x in xs if x.get(k) is not None]) if xs else None
        ceil = [x["ceiling"] for x in fr if x.get("ceiling")]
        summary[f] = {
            "file_bytes": os.path.getsize(paths[f]),
            "frugal": {k: med(fr, k) for k in ("prompt", "decode", "plain_prompt", "plain_decode", "peak_mib")},
            "native": {k: med(na, k) for k in ("prompt", "decode", "peak_mib")},
            "stock": {k: med(st, k) for k in ("prompt", "decode", "peak_mib")},
            "ceiling_tokens_per_second": statistics.median([c["bandwidth_ceiling_tokens_per_second"] for c in ceil]) if ceil else None,
            "decode_fraction_of_ceiling": statistics.median([c["decode_fraction_of_ceiling"] for c in ceil]) if ceil else None,
        }
        s = summary[f]
        if s["frugal"]["decode"] and s["native"]["decode"]:
            s["decode_ratio_to_native"] = s["frugal"]["decode"] / s["native"]["decode"]
            s["prompt_ratio_to_native"] = s["frugal"]["prompt"] / s["native"]["prompt"]
        if s["frugal"]["decode"] and s["stock"]["decode"]:
            s["decode_ratio_to_stock"] = s["frugal"]["decode"] / s["stock"]["decode"]
            s["prompt_ratio_to_stock"] = s["frugal"]["prompt"] / s["stock"]["prompt"]
    with open(a.out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "rounds": a.rounds, "frugal_args": a.frugal_args, "summary": summary, "runs": runs}, f, indent=1)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
