"""Helpers of bench/fit-the-box: status sampler, chat clients, memory hog, report. Loopback only, bounded loops."""
import json, os, sys, threading, time, urllib.request, urllib.error

def call(base, key, method, path, body=None, timeout=600):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, dict(e.headers), json.loads(raw or b"null")
        except ValueError:
            return e.code, dict(e.headers), raw.decode(errors="replace")

def status(base, key):
    try:
        return call(base, key, "GET", "/status", timeout=5)[2]
    except Exception:
        return None

def sample(base, key, out, max_samples):
    with open(out, "a") as f:
        for _ in range(int(max_samples)):
            s = status(base, key)
            if s is not None:
                m = s.get("memory") or {}
                f.write(json.dumps({"t": time.time(), "level": s.get("memory_pressure"), "emergency": s.get("emergency_mode"),
                                    "restrictions": s.get("memory_restrictions"), "limit": m.get("limit_bytes"),
                                    "used": m.get("used_bytes"), "resident": m.get("resident_bytes"),
                                    "rss": m.get("process_rss_bytes"), "queue": s.get("queue_depth")}) + "\n")
                f.flush()
            time.sleep(1)

def chat(base, key, clients, duration, out):
    deadline = time.time() + float(duration)
    results = []
    def client(i):
        r = {"client": i, "sent": 0, "ok": 0, "refused": 0, "errors": 0, "lost_or_corrupted": 0, "tokens": 0}
        code, _, session = call(base, key, "POST", "/api/sessions", {"title": "bench %d" % i})
        if code not in (200, 201):
            r["errors"] += 1; results.append(r); return
        sid = session["id"]; sent = []
        for n in range(10000):
            if time.time() >= deadline:
                break
            text = "client %d message %d: tell me about the number %d" % (i, n, n * 7 + i)
            code, headers, body = call(base, key, "POST", "/api/sessions/%s/messages" % sid, {"content": text, "stream": False, "max_tokens": 48})
            r["sent"] += 1
            if code == 200:
                r["ok"] += 1; sent.append(text)
                r["tokens"] += ((body or {}).get("usage") or {}).get("completion_tokens", 0) if isinstance(body, dict) else 0
            elif code == 503:
                r["refused"] += 1; time.sleep(float(headers.get("Retry-After", "2")))
            else:
                r["errors"] += 1
        code, _, listing = call(base, key, "GET", "/api/sessions/%s/messages" % sid)
        stored = [m["content"] for m in (listing or {}).get("data", []) if m.get("role") == "user"]
        r["lost_or_corrupted"] = sum(1 for a, b in zip(sent, stored) if a != b) + max(0, len(sent) - len(stored))
        results.append(r)
    threads = [threading.Thread(target=client, args=(i,)) for i in range(int(clients))]
    start = time.time()
    for t in threads: t.start()
    for t in threads: t.join()
    summary = {"seconds": round(time.time() - start, 1), "clients": results,
               "sent": sum(r["sent"] for r in results), "ok": sum(r["ok"] for r in results),
               "refused": sum(r["refused"] for r in results), "errors": sum(r["errors"] for r in results),
               "lost_or_corrupted": sum(r["lost_or_corrupted"] for r in results), "tokens": sum(r["tokens"] for r in results)}
    json.dump(summary, open(out, "w"), indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != "clients"}))

HOG = r'''
import os, sys, time
open(sys.argv[1] + "/cgroup.procs", "w").write(str(os.getpid()))
chunks = []
for _ in range(3000):
    try: target = open(sys.argv[2]).read().strip()
    except OSError: target = "0"
    if target == "exit": break
    want = int(target) // 16
    while len(chunks) < want:
        b = bytearray(16 << 20)
        for i in range(0, len(b), 4096): b[i] = 1
        chunks.append(b)
    del chunks[want:]
    time.sleep(0.2)
'''

def wait_level(base, key, levels, seconds):
    for _ in range(int(seconds)):
        s = status(base, key)
        if s and s.get("memory_pressure") in levels:
            return s
        time.sleep(1)
    return status(base, key)

def pressure(base, key, cgroup, out):
    import subprocess
    ctl = "/tmp/fit-the-box-hog-target"
    open(ctl, "w").write("0")
    hog = subprocess.Popen([sys.executable, "-c", HOG, cgroup, ctl])
    code, _, session = call(base, key, "POST", "/api/sessions", {"title": "pressure"})
    sid = session["id"]
    steps = []
    for name, share, expect in (("high", 0.925, ("high", "critical")), ("critical", 0.975, ("critical",))):
        s = status(base, key) or {}
        m = s.get("memory") or {}
        limit, resident = m.get("limit_bytes") or (2 << 30), m.get("resident_bytes") or m.get("used_bytes") or 0
        current = int(open(ctl).read() or 0)
        grow = max(0, int((limit * share - resident) / (1 << 20)))
        open(ctl, "w").write(str(current + grow))
        reached = wait_level(base, key, expect, 60) or {}
        answers = []
        for _ in range(2):
            code, headers, body = call(base, key, "POST", "/api/sessions/%s/messages" % sid,
                                       {"content": "under %s pressure, count to a thousand" % name, "stream": False, "max_tokens": 400})
            usage = (body or {}).get("usage") if isinstance(body, dict) else None
            answers.append({"status": code, "retry_after": headers.get("Retry-After"),
                            "completion_tokens": (usage or {}).get("completion_tokens"),
                            "pressure_header": headers.get("X-Frugal-Memory-Pressure"),
                            "error": ((body or {}).get("error") or {}).get("message") if isinstance(body, dict) else None})
        steps.append({"step": name, "hog_mib": current + grow, "level": reached.get("memory_pressure"),
                      "emergency": reached.get("emergency_mode"), "restrictions": reached.get("memory_restrictions"), "answers": answers})
        print(json.dumps(steps[-1]))
    open(ctl, "w").write("exit")
    hog.wait(timeout=30)
    back = wait_level(base, key, ("low",), 90) or {}
    code, _, _ = call(base, key, "POST", "/api/sessions/%s/messages" % sid, {"content": "after", "stream": False, "max_tokens": 16})
    steps.append({"step": "hog gone", "level": back.get("memory_pressure"), "answer_after": code})
    print(json.dumps(steps[-1]))
    json.dump(steps, open(out, "w"), indent=1)

def report(work, alive):
    box = json.load(open(os.path.join(work, "in-box.json"))) if os.path.exists(os.path.join(work, "in-box.json")) else {}
    p1 = json.load(open(os.path.join(work, "phase1.json")))
    timeline, last = [], None
    for line in open(os.path.join(work, "timeline.jsonl")):
        s = json.loads(line)
        if s["level"] != last:
            timeline.append((time.strftime("%H:%M:%S", time.gmtime(s["t"])), s["level"], (s["resident"] or 0) >> 20, (s["used"] or 0) >> 20))
            last = s["level"]
    peak_rss = max((json.loads(l)["rss"] or 0) for l in open(os.path.join(work, "timeline.jsonl"))) >> 20
    print("== fit the box ==")
    print("phase 1: %d messages ok of %d sent, %d refused, %d errors, %d lost or corrupted, %d tokens in %ss"
          % (p1["ok"], p1["sent"], p1["refused"], p1["errors"], p1["lost_or_corrupted"], p1["tokens"], p1["seconds"]))
    print("server alive at the end: %s; in-box: %s" % (alive, json.dumps(box)))
    print("peak process RSS seen in /status: %d MiB" % peak_rss)
    print("timeline of levels (time, level, resident MiB, used MiB):")
    for t in timeline:
        print("  %s  %-8s %6d %6d" % t)

if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    {"sample": sample, "chat": chat, "pressure": pressure, "report": report}[mode](*args)
