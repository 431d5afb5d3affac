#!/usr/bin/env python3
"""bench/gc_settings.py: the .NET runtime's GC settings, measured on `frugal serve` in a 1-CPU / 2-GiB box.

For each variant the server runs inside its own cgroup (../shared/tools/in-box) with the TinyLlama-shaped
model; USERS users chat TURNS turns each at once through /api/sessions (temperature 0, so every variant
does the same work; session KV states are kept, saved and restored). The server's anonymous resident
memory (RssAnon of /proc/PID/status) is sampled every 0.2 s: after load (before the chat), peak during
the chat, and steady (median of the last 5 s of a 12 s idle after it). The cgroup's peak comes from
in-box (it includes the mapped model's page cache).

Usage: bench/gc_settings.py MODEL [ROUNDS]   (env PORT, WORK, USERS, TURNS, VARIANTS=a,b,...)
Needs root (cgroups). Loopback only. Prints a markdown table and writes WORK/gc-settings.json.
"""
import json, os, statistics, subprocess, sys, threading, time, urllib.error, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IN_BOX = os.path.join(ROOT, "..", "shared", "tools", "in-box")
DLL = os.path.join(ROOT, ".frugal-build", "frugal.dll")

# Environment of each variant (DOTNET_ GC settings are read as hexadecimal numbers).
VARIANTS = {
    "dotnet-default": {"DOTNET_gcConcurrent": "1"},                       # what a console app gets without our runtimeconfig
    "current": {},                                                        # Frugal.Cli.csproj: workstation, non-concurrent
    "conserve-5": {"DOTNET_GCConserveMemory": "5"},
    "conserve-9": {"DOTNET_GCConserveMemory": "9"},
    "hard-limit-256m": {"DOTNET_GCHeapHardLimit": "0x10000000"},
    "conserve-5+limit-256m": {"DOTNET_GCConserveMemory": "5", "DOTNET_GCHeapHardLimit": "0x10000000"},
}

def call(base, key, method, path, body=None, timeout=900):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")

def rss_anon(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None

def find_server_pid(port, deadline):
    while time.time() < deadline:
        out = subprocess.run(["pgrep", "-f", "frugal.dll serve .*--port %d" % port], capture_output=True, text=True).stdout.split()
        for pid in map(int, out):
            try:
                with open("/proc/%d/comm" % pid) as f:
                    if f.read().strip() == "dotnet":   # not in-box's shell or taskset, whose command lines hold the same words
                        return pid
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError("server process not found")

def run_variant(name, env_extra, model, work, port, users, turns):
    data = os.path.join(work, "data-" + name)
    subprocess.run(["rm", "-rf", data], check=True)
    keys = [subprocess.run(["dotnet", DLL, "user", "add", "u%d" % i, "--data", data], capture_output=True, text=True, check=True)
            .stdout.strip().splitlines()[-1] for i in range(users)]
    env = dict(os.environ, **env_extra)
    report = os.path.join(work, "in-box-%s.json" % name)
    log = open(os.path.join(work, "server-%s.log" % name), "w")
    box = subprocess.Popen([IN_BOX, "--cpus", "1", "--memory", "2G", "--report", report, "--",
                            "dotnet", DLL, "serve", "--model", model, "--port", str(port), "--data", data],
                           env=env, stdout=log, stderr=subprocess.STDOUT)
    base = "http://127.0.0.1:%d" % port
    pid = None
    try:
        pid = find_server_pid(port, time.time() + 60)
        for _ in range(600):
            try:
                if urllib.request.urlopen(base + "/ready", timeout=2).status == 200:
                    break
            except Exception:
                pass
            time.sleep(0.2)
        samples = []
        stop = threading.Event()
        def sampler():
            while not stop.is_set():
                v = rss_anon(pid)
                if v is not None:
                    samples.append((time.time(), v))
                time.sleep(0.2)
        t = threading.Thread(target=sampler); t.start()
        time.sleep(3)
        loaded = statistics.median(v for _, v in samples[-10:])
        chat_start = time.time()
        results = []
        def user(i):
            code, session = call(base, keys[i], "POST", "/api/sessions", {"title": "gc %d" % i})
            if code != 201:
                print("session not created: %s %s" % (code, session), file=sys.stderr)
                results.append(0)
                return
            ok = 0
            for n in range(turns):
                text = "user %d turn %d: tell me a short story about the number %d and a small machine." % (i, n, n * 7 + i)
                code, body = call(base, keys[i], "POST", "/api/sessions/%s/messages" % session["id"],
                                  {"content": text, "stream": False, "max_tokens": 48, "temperature": 0})
                ok += code == 200
            results.append(ok)
        threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
        for th in threads: th.start()
        for th in threads: th.join()
        chat_end = time.time()
        time.sleep(12)
        stop.set(); t.join()
        during = [v for ts, v in samples if chat_start <= ts <= chat_end]
        idle = [v for ts, v in samples if ts >= time.time() - 5]
        return {"variant": name, "env": env_extra, "ok_turns": sum(results), "turns": users * turns,
                "chat_seconds": round(chat_end - chat_start, 1),
                "anon_loaded_mib": round(loaded / 2**20, 1), "anon_peak_mib": round(max(during) / 2**20, 1),
                "anon_steady_mib": round(statistics.median(idle) / 2**20, 1)}
    finally:
        if pid is not None:
            subprocess.run(["kill", str(pid)])
        try:
            box.wait(timeout=60)
        except subprocess.TimeoutExpired:
            if pid is not None:
                subprocess.run(["kill", "-9", str(pid)])
            box.wait(timeout=30)
        log.close()
        try:
            with open(report) as f:
                r = json.load(f)
            results_box[name] = r
        except (OSError, ValueError):
            pass

results_box = {}

def main():
    model = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    work = os.environ.get("WORK", "/tmp/frugal-gc-settings")
    port = int(os.environ.get("PORT", "18231"))
    users = int(os.environ.get("USERS", "3"))
    turns = int(os.environ.get("TURNS", "4"))
    names = os.environ.get("VARIANTS", ",".join(VARIANTS)).split(",")
    os.makedirs(work, exist_ok=True)
    rows = []
    for r in range(rounds):
        for name in names:
            row = run_variant(name, VARIANTS[name], model, work, port, users, turns)
            row["round"] = r + 1
            row["box_peak_mib"] = results_box.get(name, {}).get("peak_memory_mib")
            row["oom_kills"] = results_box.get(name, {}).get("oom_kills")
            rows.append(row)
            print(json.dumps(row), flush=True)
    with open(os.path.join(work, "gc-settings.json"), "w") as f:
        json.dump(rows, f, indent=1)
    print("\n| variant | round | turns ok | anon after load MiB | anon peak MiB | anon steady MiB | box peak MiB | OOM kills | chat s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %d | %d/%d | %s | %s | %s | %s | %s | %s |" % (r["variant"], r["round"], r["ok_turns"], r["turns"], r["anon_loaded_mib"],
              r["anon_peak_mib"], r["anon_steady_mib"], r["box_peak_mib"], r["oom_kills"], r["chat_seconds"]))

if __name__ == "__main__":
    main()
