#!/usr/bin/env python3
"""A/B of two Frugal builds as a user sees them (issue 12's "no loss against the previous main"): each build's
`frugal serve` runs in turn inside the 1-CPU / 2-GiB box (/work/shared/tools/in-box when it is there), alternating
A, B, A, B, ... and answers the same streamed /v1/chat/completions requests (a fresh ~PROMPT-token prompt each, a
REPLY-token reply at temperature 0, one sequence). Per build: median prompt tokens/s (prompt tokens / time to first
token) and decode tokens/s (reply tokens after the first / their streaming time), the same per CPU second of the
server process (what the core did while it ran, whatever else the machine runs), then B/A ratios per round and
their median. Timings on a shared machine are noisy; read the ratios, which are taken within one run.

Usage: bench/ab-serve.py A_FRUGAL B_FRUGAL MODEL [--rounds 3] [--requests 2] [--prompt-words 90] [--reply 64] [--ctx 2048]
                        [--parallel 1] [--concurrent 1] [--no-box] [--json OUT]
--concurrent N sends N requests at once (N users of their own, so the per-user limit does not queue them) to a server
started with --parallel P: each stream's decode rate is what a user of a shared server sees.
A_FRUGAL and B_FRUGAL are the two builds' `frugal` launchers (e.g. an old worktree's ./frugal, built first)."""
import argparse, concurrent.futures, http.client, json, os, socket, statistics, subprocess, sys, tempfile, time

BOX = "/work/shared/tools/in-box"
MODEL = [""]  # the model file, whose name is the model id both builds serve
WORDS = ("river", "lantern", "copper", "meadow", "signal", "harbor", "violet", "engine", "pillow", "summit")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, proc, seconds=600):
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit(f"ab-serve: the server exited with {proc.returncode} before it was ready")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/ready")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("ab-serve: the server was not ready in time")


def prompt_text(seed, words):
    return " ".join(WORDS[(seed * 7 + i * 3 + i * i) % len(WORDS)] for i in range(words))


def server_pid(root):
    """The dotnet process under the launcher (and in-box): the deepest descendant of ROOT."""
    pid = root
    while True:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                kids = f.read().split()
        except OSError:
            return pid
        if not kids:
            return pid
        pid = int(kids[-1])


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_request(port, key, text, reply, pid):
    body = json.dumps({"model": os.path.splitext(os.path.basename(MODEL[0]))[0], "stream": True, "temperature": 0, "max_tokens": reply,
                       "stream_options": {"include_usage": True},
                       "messages": [{"role": "user", "content": text}]})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    cpu_start = cpu_seconds(pid)
    cpu_first = None
    start = time.time()
    c.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json",
                                                  "Authorization": "Bearer " + key})
    r = c.getresponse()
    if r.status != 200:
        raise SystemExit(f"ab-serve: HTTP {r.status}: {r.read()[:300]!r}")
    first = last = None
    usage = None
    for raw in r:
        line = raw.strip()
        if not line.startswith(b"data: ") or line == b"data: [DONE]":
            continue
        chunk = json.loads(line[6:])
        if chunk.get("usage"):
            usage = chunk["usage"]
        for ch in chunk.get("choices", []):
            if ch.get("delta", {}).get("content"):
                now = time.time()
                if first is None:
                    first, cpu_first = now, cpu_seconds(pid)
                last = now
    cpu_last = cpu_seconds(pid)
    if usage is None or first is None:
        raise SystemExit("ab-serve: the stream had no text or no usage")
    prompt_tokens, reply_tokens = usage["prompt_tokens"], usage["completion_tokens"]
    decode = (reply_tokens - 1) / (last - first) if reply_tokens > 1 and last > first else float("nan")
    return {"prompt_tokens": prompt_tokens, "reply_tokens": reply_tokens, "ttft_s": first - start,
            "prompt_tps": prompt_tokens / (first - start), "decode_tps": decode,
            "prompt_per_cpu_s": prompt_tokens / max(cpu_first - cpu_start, 0.01),
            "decode_per_cpu_s": (reply_tokens - 1) / max(cpu_last - cpu_first, 0.01)}


def run_build(frugal, model, args, round_no):
    port = free_port()
    data = tempfile.mkdtemp(prefix="ab-serve-")
    keys = []
    for u in range(args.concurrent):
        added = subprocess.run([frugal, "user", "add", f"ab{u}", "--data", data], capture_output=True, text=True, check=True)
        keys.append(next(w for w in added.stdout.split() if w.startswith("frugal_")))
    cmd = [frugal, "serve", "--model", model, "--port", str(port), "--data", data, "--ctx", str(args.ctx),
           "--parallel", str(args.parallel)]
    if not args.no_box and os.path.exists(BOX):
        cmd = [BOX, "--cpus", "1", "--memory", "2G", "--pin", "1", "--"] + cmd
    log = open(os.path.join(data, "serve.log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_ready(port, proc)
        pid = server_pid(proc.pid)
        results = []
        with concurrent.futures.ThreadPoolExecutor(args.concurrent) as pool:
            for i in range(args.requests):
                seeds = [round_no * 31 + i * args.concurrent + u for u in range(args.concurrent)]
                results += list(pool.map(lambda su: one_request(port, su[1], prompt_text(su[0], args.prompt_words), args.reply, pid),
                                         zip(seeds, keys)))
        return results
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=60)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("a"), p.add_argument("b"), p.add_argument("model")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--requests", type=int, default=2)
    p.add_argument("--prompt-words", type=int, default=90)
    p.add_argument("--reply", type=int, default=64)
    p.add_argument("--ctx", type=int, default=2048)
    p.add_argument("--parallel", type=int, default=1)
    p.add_argument("--concurrent", type=int, default=1)
    p.add_argument("--no-box", action="store_true")
    p.add_argument("--json")
    args = p.parse_args()
    MODEL[0] = args.model
    rows = []
    for r in range(args.rounds):
        order = [("A", args.a), ("B", args.b)] if r % 2 == 0 else [("B", args.b), ("A", args.a)]
        got = {}
        for name, frugal in order:
            got[name] = run_build(frugal, args.model, args, r)
            for x in got[name]:
                print(f"round {r + 1} {name}: prompt {x['prompt_tokens']} tokens at {x['prompt_tps']:.1f}/s, "
                      f"reply {x['reply_tokens']} at {x['decode_tps']:.2f}/s; per CPU second {x['prompt_per_cpu_s']:.1f} "
                      f"and {x['decode_per_cpu_s']:.2f}", flush=True)
        rows.append(got)

    def med(name, key):
        return statistics.median(x[key] for g in rows for x in g[name])

    def ratio(key):
        return statistics.median(statistics.median(x[key] for x in g["B"]) / statistics.median(x[key] for x in g["A"])
                                 for g in rows)

    out = {"rounds": args.rounds, "requests_per_round": args.requests,
           "a": {"prompt_tps": med("A", "prompt_tps"), "decode_tps": med("A", "decode_tps")},
           "b": {"prompt_tps": med("B", "prompt_tps"), "decode_tps": med("B", "decode_tps")},
           "b_over_a_prompt": ratio("prompt_tps"), "b_over_a_decode": ratio("decode_tps"),
           "b_over_a_prompt_per_cpu_s": ratio("prompt_per_cpu_s"),
           "b_over_a_decode_per_cpu_s": ratio("decode_per_cpu_s"),
           "load_average": os.getloadavg()}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    print(f"ab-serve: B/A prompt {out['b_over_a_prompt']:.3f}x, decode {out['b_over_a_decode']:.3f}x "
          f"(medians of {args.rounds} rounds; A {out['a']['prompt_tps']:.1f}/{out['a']['decode_tps']:.2f}, "
          f"B {out['b']['prompt_tps']:.1f}/{out['b']['decode_tps']:.2f} tokens/s prompt/decode); per CPU second of "
          f"the server: prompt {out['b_over_a_prompt_per_cpu_s']:.3f}x, decode {out['b_over_a_decode_per_cpu_s']:.3f}x")


if __name__ == "__main__":
    sys.exit(main())
