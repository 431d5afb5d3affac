#!/usr/bin/env python3
"""Disk full (issue 14): the data directory on a small tmpfs (needs root for mount) that a filler file fills
while a client keeps writing through the sessions API. Expects clear 507 insufficient_storage (or 503) answers,
never a 500 or a dead server, PRAGMA integrity_check ok, every confirmed turn still stored, and writes
succeeding again once the filler is removed. Run from the repository root; prints one JSON line."""
import json, os, shlex, subprocess, sys, tempfile, time, urllib.error, urllib.request, sqlite3, signal, socket

def call(base, key, method, path, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw or b"null")
        except ValueError:
            return e.code, None

def main():
    frugal = shlex.split(os.environ.get("FRUGAL_CMD", os.path.abspath("frugal")))
    work = tempfile.mkdtemp(prefix="frugal-diskfull-")
    mount = os.path.join(work, "small")
    os.makedirs(mount)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", mount], check=True)
    proc = None
    try:
        data = os.path.join(mount, "data")
        model = os.path.join(work, "tiny.gguf")
        subprocess.run([*frugal, "model", "synth", "--shape", "tiny", "-o", model], check=True, stdout=subprocess.DEVNULL)
        key = subprocess.run([*frugal, "user", "add", "alice", "--data", data], check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
        log = open(os.path.join(work, "server.log"), "ab")
        proc = subprocess.Popen([*frugal, "serve", "--model", model, "--data", data, "--port", str(port), "--ctx", "2048", "--parallel", "1"],
                                stdout=log, stderr=log, start_new_session=True)
        base = "http://127.0.0.1:%d" % port
        for _ in range(600):
            try:
                with urllib.request.urlopen(base + "/ready", timeout=2) as r:
                    if r.status == 200: break
            except Exception:
                time.sleep(0.2)
        code, session = call(base, key, "POST", "/api/sessions", {"title": "disk full"})
        sid = session["id"]
        confirmed, statuses = [], {}
        filler = os.path.join(mount, "filler")
        with open(filler, "wb") as f:   # fill all but ~256 KB
            st = os.statvfs(mount)
            f.write(b"\0" * max(0, st.f_bavail * st.f_frsize - 256 * 1024))
        for n in range(400):
            text = ("turn %d: " % n) + " ".join(["word"] * 60)
            code, body = call(base, key, "POST", "/api/sessions/%s/messages" % sid, {"content": text, "max_tokens": 4})
            statuses[code] = statuses.get(code, 0) + 1
            if code == 200:
                confirmed.append((body["user_message"]["id"], text))
            code2, _ = call(base, key, "POST", "/api/sessions", {"title": ("more %d " % n) * 20, "system_prompt": " ".join(["rule"] * 60)})
            statuses["create_%d" % code2] = statuses.get("create_%d" % code2, 0) + 1
        with urllib.request.urlopen(base + "/health", timeout=5) as r:
            alive = r.status == 200
        os.remove(filler)
        code, body = call(base, key, "POST", "/api/sessions/%s/messages" % sid, {"content": "after recovery", "max_tokens": 4})
        recovered = code == 200
        code, listing = call(base, key, "GET", "/api/sessions/%s/messages" % sid)
        stored = {m["id"]: m["content"] for m in (listing or {}).get("data", [])}
        lost = sum(1 for i, t in confirmed if stored.get(i) != t)
        db = sqlite3.connect(os.path.join(data, "frugal.db"))
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.close()
        result = {"statuses": {str(k): v for k, v in statuses.items()}, "confirmed_turns": len(confirmed), "lost_confirmed": lost,
                  "server_alive_when_full": alive, "writes_after_space_returned": recovered, "integrity_check": integrity,
                  "no_500": not any(str(k).endswith("500") for k in statuses)}
        print(json.dumps(result))
        return 0 if lost == 0 and integrity == "ok" and alive and recovered and result["no_500"] else 1
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGKILL); proc.wait()
        subprocess.run(["umount", "-l", mount])

if __name__ == "__main__":
    sys.exit(main())
