#!/usr/bin/env python3
"""Soak (issue 14): many users for MINUTES on one server in a small box (1 CPU / 2 GiB through
/work/shared/tools/in-box when it is there), polite users chatting (sessions API and /v1, streamed) beside hostile
ones (floods, slow readers, huge and broken bodies, disconnects mid-stream, half-sent bodies, session spam).
Reports, per minute: the polite users' time to first token (p50/p95), their errors, the hostile statuses, and the
server's resident memory; then ratios against the run's own first minute (timings on a shared machine are noisy,
ratios within one run are not): memory growth, p95 TTFT of the last and of the worst minute, plus OOM kills (in-box),
5xx answers and whether 429/503 reached polite users.

Usage: bench/soak.py [--minutes 10] [--polite 6] [--hostile 2] [--model FILE] [--ctx 1024] [--max-tokens 32]
                     [--no-box] [--json OUT]
Run from the repository root; FRUGAL_CMD overrides ./frugal. Without --model a tiny model is synthesized (use a
TinyLlama-shaped file, `frugal model synth --shape tinyllama-1.1b`, for the issue's configuration). Prints one JSON
object (also to --json)."""
import argparse, http.client, json, os, random, re, shlex, socket, subprocess, sys, tempfile, threading, time

# The first event that carries reply text: a sessions API delta, or a /v1 chunk whose delta has non-empty content.
FIRST_TEXT = re.compile(rb'"type":"delta"|"delta":\{[^}]*"content":"[^"]')

BOX = "/work/shared/tools/in-box"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Log:
    """Every request's outcome, by client kind and minute."""

    def __init__(self, start):
        self.start, self.lock, self.rows = start, threading.Lock(), []

    def add(self, who, what, status, ttft=None):
        with self.lock:
            self.rows.append((time.time() - self.start, who, what, status, ttft))


def stream(port, key, path, body, log, who, what, read_delay=0.0, hang_up_after=None, timeout=300):
    """POSTs a streamed request; logs the status and the time to the first content event."""
    t0 = time.time()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, json.dumps(body), {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        r = conn.getresponse()
        if r.status != 200:
            r.read()
            log.add(who, what, r.status)
            return
        ttft, events = None, 0
        while True:
            line = r.readline()
            if not line:
                break
            if read_delay:
                time.sleep(read_delay)
            if ttft is None and line.startswith(b"data:") and FIRST_TEXT.search(line):
                ttft = time.time() - t0
            events += 1
            if hang_up_after is not None and events >= hang_up_after:
                log.add(who, what + "+hangup", 200, ttft)
                return
        log.add(who, what, 200, ttft)
    except (OSError, http.client.HTTPException):
        log.add(who, what, "conn")
    finally:
        conn.close()


def plain(port, key, method, path, body=None, raw=None, log=None, who="", what="", timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        conn.request(method, path, data, {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        r = conn.getresponse()
        payload = r.read()
        if log:
            log.add(who, what, r.status)
        return r.status, payload
    except (OSError, http.client.HTTPException):
        if log:
            log.add(who, what, "conn")
        return None, b""
    finally:
        conn.close()


def polite(port, key, name, stop, log, rng, max_tokens):
    status, body = plain(port, key, "POST", "/api/sessions", {"title": name, "system_prompt": "You answer briefly."})
    session = json.loads(body)["id"] if status == 201 else None
    n = 0
    while not stop.is_set():
        n += 1
        question = "Question %d from %s: tell me something about %s." % (n, name, rng.choice(["boats", "bread", "rivers", "lamps"]))
        if session and n % 3:
            stream(port, key, "/api/sessions/%s/messages" % session, {"content": question, "stream": True, "max_tokens": max_tokens},
                   log, "polite", "session")
        else:
            stream(port, key, "/v1/chat/completions", {"stream": True, "max_tokens": max_tokens,
                   "messages": [{"role": "user", "content": question}]}, log, "polite", "v1")
        stop.wait(rng.uniform(1, 4))


def raw_send(port, data, linger=0.0):
    """Writes bytes on a socket (a half-sent body, a slow header) and hangs up."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(data)
            time.sleep(linger)
        return "sent"
    except OSError:
        return "conn"


def hostile(port, key, name, stop, log, rng, max_tokens):
    acts = ["flood", "slow_reader", "huge_body", "deep_json", "bad_utf8", "hangup", "half_body", "slow_headers", "session_spam", "long_reply"]
    while not stop.is_set():
        act = rng.choice(acts)
        v1 = {"stream": True, "messages": [{"role": "user", "content": "Write a long story about %s." % name}]}
        if act == "flood":
            threads = [threading.Thread(target=stream, args=(port, key, "/v1/chat/completions", dict(v1, max_tokens=max_tokens), log, "hostile", "flood"))
                       for _ in range(20)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        elif act == "slow_reader":
            stream(port, key, "/v1/chat/completions", dict(v1, max_tokens=256), log, "hostile", "slow_reader", read_delay=0.5, hang_up_after=40)
        elif act == "long_reply":
            stream(port, key, "/v1/chat/completions", v1, log, "hostile", "long_reply")
        elif act == "huge_body":
            plain(port, key, "POST", "/v1/chat/completions", raw=b'{"messages":[{"role":"user","content":"' + b"x" * (3 << 20) + b'"}]}',
                  log=log, who="hostile", what="huge_body")
        elif act == "deep_json":
            plain(port, key, "POST", "/v1/chat/completions", raw=b'{"messages":' + b"[" * 5000 + b"]" * 5000 + b"}",
                  log=log, who="hostile", what="deep_json")
        elif act == "bad_utf8":
            plain(port, key, "POST", "/v1/chat/completions", raw=b'{"messages":[{"role":"user","content":"\xff\xfe"}]}',
                  log=log, who="hostile", what="bad_utf8")
        elif act == "hangup":
            stream(port, key, "/v1/chat/completions", dict(v1, max_tokens=128), log, "hostile", "hangup", hang_up_after=3)
        elif act == "half_body":
            log.add("hostile", "half_body", raw_send(port, b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key.encode()
                                                     + b"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"model\":", linger=2))
        elif act == "slow_headers":
            log.add("hostile", "slow_headers", raw_send(port, b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", linger=5))
        elif act == "session_spam":
            for _ in range(30):
                plain(port, key, "POST", "/api/sessions", {"title": "spam", "system_prompt": "s" * 4000}, log=log, who="hostile", what="session_spam")
        stop.wait(rng.uniform(0, 1))


def rss_mib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def server_pid(port):
    """The dotnet process serving on PORT (in-box starts it as a grandchild)."""
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmd = open("/proc/%s/cmdline" % pid, "rb").read().split(b"\0")
            except OSError:
                continue
            if b"serve" in cmd and str(port).encode() in cmd and any(c.endswith(b"frugal.dll") or c.endswith(b"frugal") for c in cmd[:2]):
                return int(pid)
    return None


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--polite", type=int, default=6)
    ap.add_argument("--hostile", type=int, default=2)
    ap.add_argument("--model")
    ap.add_argument("--ctx", type=int, default=1024)
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--no-box", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json")
    args = ap.parse_args()
    frugal = shlex.split(os.environ.get("FRUGAL_CMD", os.path.abspath("frugal")))
    work = tempfile.mkdtemp(prefix="frugal-soak-")
    data = os.path.join(work, "data")
    model = args.model or os.path.join(work, "tiny.gguf")
    if not args.model:
        subprocess.run([*frugal, "model", "synth", "--shape", "tiny", "-o", model], check=True, stdout=subprocess.DEVNULL)
    names = ["polite%d" % i for i in range(args.polite)] + ["hostile%d" % i for i in range(args.hostile)]
    keys = {n: subprocess.run([*frugal, "user", "add", n, "--data", data], check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
            for n in names}
    port = free_port()
    report = os.path.join(work, "in-box.json")
    boxed = not args.no_box and os.path.exists(BOX)
    cmd = [*frugal, "serve", "--model", model, "--data", data, "--port", str(port), "--ctx", str(args.ctx)]
    if boxed:
        cmd = [BOX, "--cpus", "1", "--memory", "2G", "--report", report, "--", *cmd]
    log_file = open(os.path.join(work, "server.log"), "ab")
    proc = subprocess.Popen(cmd, stdout=log_file, stderr=log_file, start_new_session=True)
    for _ in range(900):
        if proc.poll() is not None:
            raise SystemExit("server exited with %d during start (see %s/server.log)" % (proc.returncode, work))
        status, _ = plain(port, "", "GET", "/ready", timeout=2)
        if status == 200:
            break
        time.sleep(0.2)
    else:
        raise SystemExit("server not ready in 180 s")
    pid = server_pid(port)
    start = time.time()
    log, stop, memory = Log(start), threading.Event(), []
    threads = [threading.Thread(target=(polite if n.startswith("polite") else hostile),
                                args=(port, keys[n], n, stop, log, random.Random(args.seed * 100 + i), args.max_tokens), daemon=True)
               for i, n in enumerate(names)]
    for t in threads:
        t.start()
    minutes = int(args.minutes + 0.999)
    while time.time() - start < args.minutes * 60:
        time.sleep(5)
        memory.append((time.time() - start, rss_mib(pid) if pid else None))
        if proc.poll() is not None:
            break
    stop.set()
    for t in threads:
        t.join(timeout=120)
    died = proc.poll() is not None
    if not died:
        # The server first, so in-box sees its command end and writes its report; then whatever is left.
        if pid:
            os.kill(pid, 15)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
    box = json.load(open(report)) if boxed and os.path.exists(report) else {}
    # in-box writes its figures as strings ("0"): read them as numbers, or "0" OOM kills counts as a failure.
    box = {k: int(v) if isinstance(v, str) and v.isdigit() else v for k, v in box.items()}

    rows, per_minute = log.rows, []
    for m in range(minutes):
        in_minute = [r for r in rows if m * 60 <= r[0] < (m + 1) * 60]
        polite_rows = [r for r in in_minute if r[1] == "polite"]
        ttfts = [r[4] for r in polite_rows if r[3] == 200 and r[4] is not None]
        rss = [v for t, v in memory if m * 60 <= t < (m + 1) * 60 and v is not None]
        hostile_status = {}
        for r in in_minute:
            if r[1] == "hostile":
                hostile_status[str(r[3])] = hostile_status.get(str(r[3]), 0) + 1
        per_minute.append({"minute": m + 1, "polite_requests": len(polite_rows),
                           "polite_errors": sum(1 for r in polite_rows if r[3] != 200),
                           "polite_ttft_p50_s": round(pct(ttfts, 0.5), 3) if ttfts else None,
                           "polite_ttft_p95_s": round(pct(ttfts, 0.95), 3) if ttfts else None,
                           "hostile_statuses": hostile_status, "rss_mib_end": round(rss[-1], 1) if rss else None})
    first = per_minute[0] if per_minute else {}
    later = [p for p in per_minute[1:] if p["polite_ttft_p95_s"]]
    polite_all = [r for r in rows if r[1] == "polite"]
    statuses = {}
    for r in polite_all:
        statuses[str(r[3])] = statuses.get(str(r[3]), 0) + 1
    all_ttft = [r[4] for r in polite_all if r[3] == 200 and r[4] is not None]
    result = {
        "minutes": args.minutes, "polite_users": args.polite, "hostile_users": args.hostile, "model": model, "ctx": args.ctx, "boxed": boxed,
        "server_died": died and not box.get("oom_kills"), "oom_kills": box.get("oom_kills"), "peak_memory_mib": box.get("peak_memory_mib"),
        "polite_statuses": statuses, "polite_429_or_503": statuses.get("429", 0) + statuses.get("503", 0),
        "server_5xx": sum(1 for r in rows if isinstance(r[3], int) and r[3] >= 500 and r[3] != 503),
        "polite_ttft_p50_s": round(pct(all_ttft, 0.5), 3) if all_ttft else None,
        "polite_ttft_p95_s": round(pct(all_ttft, 0.95), 3) if all_ttft else None,
        "rss_last_over_first_minute": round(per_minute[-1]["rss_mib_end"] / first["rss_mib_end"], 3)
            if per_minute and first.get("rss_mib_end") and per_minute[-1]["rss_mib_end"] else None,
        "p95_ttft_last_over_first_minute": round(later[-1]["polite_ttft_p95_s"] / first["polite_ttft_p95_s"], 3)
            if later and first.get("polite_ttft_p95_s") else None,
        "p95_ttft_worst_over_first_minute": round(max(p["polite_ttft_p95_s"] for p in later) / first["polite_ttft_p95_s"], 3)
            if later and first.get("polite_ttft_p95_s") else None,
        "per_minute": per_minute, "work_dir": work,
    }
    text = json.dumps(result)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(json.dumps(result, indent=1) + "\n")
    return 0 if not result["server_died"] and not result["oom_kills"] and result["server_5xx"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
