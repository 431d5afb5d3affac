#!/usr/bin/env python3
"""kill -9 durability (issue 14): 3 clients chat through the sessions API while the server is killed with
SIGKILL at random moments ROUNDS times and restarted on the same data directory. Checks afterwards:
every turn the server confirmed (HTTP 200 with the reply) is stored with the same text, the database opens
and passes PRAGMA integrity_check, no message is shown complete unless its turn finished (a reply cut by the
kill is stored partial, or not at all), and state files with torn tails are cut when the store opens.

Usage: bench/kill9_durability.py [--rounds 20] [--model FILE] [--seed 1]   (run from the repository root; FRUGAL_CMD overrides ./frugal, e.g. "dotnet src/Frugal.Cli/bin/Release/net10.0/frugal.dll";
uses ./frugal, a synthesized tiny model unless --model is given; loopback only; prints one JSON line)."""
import argparse, json, os, shlex, random, signal, socket, sqlite3, subprocess, sys, tempfile, threading, time, urllib.error, urllib.request

def call(base, key, method, path, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def start(frugal, model, data, port, log):
    proc = subprocess.Popen([*frugal, "serve", "--model", model, "--data", data, "--port", str(port), "--ctx", "512", "--parallel", "1"],
                            stdout=log, stderr=log, start_new_session=True)
    base = "http://127.0.0.1:%d" % port
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit("server exited with %d during start (see %s)" % (proc.returncode, log.name))
        try:
            with urllib.request.urlopen(base + "/ready", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except Exception:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server not ready in 120 s")

def client(base, key, session, name, confirmed, stop, counters):
    n = 0
    while not stop.is_set():
        text = "%s turn %d: name a colour" % (name, n)
        n += 1
        try:
            code, body = call(base, key, "POST", "/api/sessions/%s/messages" % session, {"content": text, "stream": False, "max_tokens": 24})
        except Exception:
            counters["unconfirmed"] += 1   # the kill cut the connection: the turn was never confirmed
            return
        if code == 200 and isinstance(body, dict):
            confirmed.append({"session": session, "user": text, "user_id": body["user_message"]["id"],
                              "reply": body["message"]["content"], "reply_id": body["message"]["id"]})
            counters["confirmed"] += 1
        else:
            counters["refused"] += 1
            time.sleep(0.2)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--model")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    frugal = shlex.split(os.environ.get("FRUGAL_CMD", os.path.abspath("frugal")))
    work = tempfile.mkdtemp(prefix="frugal-kill9-")
    data = os.path.join(work, "data")
    model = args.model or os.path.join(work, "tiny.gguf")
    if not args.model:
        subprocess.run([*frugal, "model", "synth", "--shape", "tiny", "-o", model], check=True, stdout=subprocess.DEVNULL)
    keys = {}
    for name in ("a", "b", "c"):
        out = subprocess.run([*frugal, "user", "add", name, "--data", data], check=True, capture_output=True, text=True).stdout
        keys[name] = out.strip().splitlines()[-1]
    log = open(os.path.join(work, "server.log"), "ab")
    confirmed, kills, starts, sessions = [], [], [], {}
    counters = {"confirmed": 0, "unconfirmed": 0, "refused": 0}
    for round_ in range(args.rounds):
        port = free_port()
        t0 = time.time()
        proc, base = start(frugal, model, data, port, log)
        starts.append(round(time.time() - t0, 2))
        for name, key in keys.items():
            if name not in sessions:
                code, body = call(base, key, "POST", "/api/sessions", {"title": "kill9 " + name})
                sessions[name] = body["id"]
        stop = threading.Event()
        threads = [threading.Thread(target=client, args=(base, key, sessions[name], name, confirmed, stop, counters)) for name, key in keys.items()]
        for t in threads:
            t.start()
        delay = rng.uniform(0.5, 6.0)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        kills.append(round(delay, 2))
        stop.set()
        for t in threads:
            t.join(timeout=70)

    # Verify on a fresh start: the database opens, every confirmed turn is there, nothing half-written shows as complete.
    db = sqlite3.connect(os.path.join(data, "frugal.db"))
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    db.close()
    port = free_port()
    proc, base = start(frugal, model, data, port, log)
    lost, complete_without_finish, partial, stored_turns = 0, 0, 0, 0
    try:
        listings = {}
        for name, key in keys.items():
            code, body = call(base, key, "GET", "/api/sessions/%s/messages" % sessions[name])
            listings[sessions[name]] = body["data"] if code == 200 else []
        for session, messages in listings.items():
            stored_turns += sum(1 for m in messages if m["role"] == "user")
            for m in messages:
                if m["role"] == "assistant":
                    if m.get("status") == "complete" and m.get("finish_reason") not in ("stop", "length"):
                        complete_without_finish += 1
                    if m.get("status") != "complete":
                        partial += 1
        for turn in confirmed:
            messages = listings.get(turn["session"], [])
            by_id = {m["id"]: m for m in messages}
            user, reply = by_id.get(turn["user_id"]), by_id.get(turn["reply_id"])
            ok = (user is not None and user["content"] == turn["user"] and reply is not None
                  and reply["content"] == turn["reply"] and reply.get("status") == "complete")
            lost += 0 if ok else 1
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    kv_files = sum(len(files) for _, _, files in os.walk(os.path.join(data, "kv")))
    log.close()
    torn = sum(1 for line in open(os.path.join(work, "server.log"), errors="replace") if "torn" in line.lower() or "cut" in line.lower())
    result = {"rounds": args.rounds, "kill_after_s": kills, "start_s": starts, "confirmed_turns": len(confirmed),
              "unconfirmed_turns": counters["unconfirmed"], "refused": counters["refused"], "stored_user_turns": stored_turns,
              "lost_confirmed": lost, "complete_without_finish_reason": complete_without_finish, "partial_or_failed_replies": partial,
              "integrity_check": integrity, "kv_files_left": kv_files, "log_lines_about_torn_states": torn, "work_dir": work}
    print(json.dumps(result))
    return 0 if lost == 0 and integrity == "ok" and complete_without_finish == 0 else 1

if __name__ == "__main__":
    sys.exit(main())
