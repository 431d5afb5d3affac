"""Driver of bench/scale-out: clients chatting through HAProxy to several Frugal instances.

Each client owns SESSIONS sessions and sends TURNS turns round-robin over them (streaming, so time to
first token is measured at the client). A turn that fails (instance killed mid-reply, 409, 502, 503)
is sent again after a short pause; only a `done` event confirms a message. After KILL_AFTER confirmed
turns the instance named by the kill callback is killed with SIGKILL. Prints a JSON report on stdout.
"""
import json, os, signal, sys, threading, time, urllib.request, urllib.error

def call(base, key, method, path, body=None, timeout=120):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.headers.get("X-Frugal-Instance"), json.loads(r.read() or b"null")

def send_turn(base, key, session, text, max_tokens):
    """One streamed turn: (instance, ttft_ms, done_event) or raises."""
    req = urllib.request.Request(base + f"/api/sessions/{session}/messages",
                                 data=json.dumps({"content": text, "stream": True, "max_tokens": max_tokens, "temperature": 0}).encode(),
                                 method="POST", headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    started = time.monotonic()
    ttft = None
    with urllib.request.urlopen(req, timeout=300) as r:
        instance = r.headers.get("X-Frugal-Instance")
        for raw in r:
            line = raw.decode().strip()
            if not line.startswith("data: "):
                continue
            event = json.loads(line[6:])
            if event["type"] == "delta" and ttft is None:
                ttft = (time.monotonic() - started) * 1000
            elif event["type"] == "done":
                return instance, ttft if ttft is not None else (time.monotonic() - started) * 1000, event
            elif event["type"] == "error":
                raise RuntimeError(event["error"]["message"])
    raise RuntimeError("stream ended without done")

def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 1)

def main():
    base, keys_file, kill_pid_file = sys.argv[1], sys.argv[2], sys.argv[3]  # pids: lines 'NAME PID'
    sessions_per_client = int(os.environ.get("SESSIONS", "3"))
    turns = int(os.environ.get("TURNS", "8"))
    max_tokens = int(os.environ.get("MAX_TOKENS", "24"))
    keys = [k.strip() for k in open(keys_file) if k.strip()]
    total = len(keys) * sessions_per_client * turns
    kill_after = int(os.environ.get("KILL_AFTER", str(total // 2)))
    lock = threading.Lock()
    turns_log, confirmed, errors = [], [], []
    state = {"done": 0, "killed_at": None, "killed": None}
    last_instance = {}

    def maybe_kill():
        with lock:
            if state["killed_at"] is not None or state["done"] < kill_after:
                return
            state["killed_at"] = time.monotonic()
        # The busiest instance so far: most sessions move.
        pids = dict(line.split() for line in open(kill_pid_file) if line.strip())
        with lock:
            counts = {}
            for t in turns_log:
                counts[t["instance"]] = counts.get(t["instance"], 0) + 1
        name = max((n for n in counts if n in pids), key=lambda n: counts[n])
        pid = pids[name]
        os.kill(int(pid), signal.SIGKILL)
        state["killed"] = name
        print(f"scale-out: killed {name} (pid {pid}) after {state['done']} turns", file=sys.stderr, flush=True)

    def client(c, key):
        sessions = []
        for s in range(sessions_per_client):
            _, _, body = call(base, key, "POST", "/api/sessions", {"title": f"client {c} session {s}"})
            sessions.append(body["id"])
        for t in range(turns):
            for s, session in enumerate(sessions):
                text = f"client {c} session {s} turn {t}: tell me about number {c * 100 + s * 10 + t}"
                attempts = 0
                while True:
                    attempts += 1
                    try:
                        instance, ttft, done = send_turn(base, key, session, text, max_tokens)
                        break
                    except (urllib.error.URLError, RuntimeError, ConnectionError, TimeoutError, OSError) as e:
                        code = getattr(e, "code", None)
                        with lock:
                            errors.append({"session": session, "turn": t, "error": f"{code or type(e).__name__}"})
                        if attempts > 30:
                            raise
                        time.sleep(1.0)
                with lock:
                    previous = last_instance.get(session)
                    after_kill = state["killed_at"] is not None
                    turns_log.append({"client": c, "session": session, "turn": t, "instance": instance, "ttft_ms": ttft,
                                      "previous": previous, "after_kill": after_kill, "attempts": attempts,
                                      "cached_prompt_tokens": done["usage"]["cached_prompt_tokens"],
                                      "prompt_tokens": done["usage"]["prompt_tokens"]})
                    last_instance[session] = instance
                    confirmed.append((key, session, text, done["message"]["id"], done["message"]["content"]))
                    state["done"] += 1
                maybe_kill()

    threads = [threading.Thread(target=client, args=(c, k)) for c, k in enumerate(keys)]
    started = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started

    # Every confirmed message (the user's text and the reply as confirmed) is in the store, in order.
    missing = 0
    by_session = {}
    for key, session, text, reply_id, reply in confirmed:
        by_session.setdefault((key, session), []).append((text, reply_id, reply))
    for (key, session), expected in by_session.items():
        _, _, body = call(base, key, "GET", f"/api/sessions/{session}/messages")
        stored = body["data"]
        replies = {m["id"]: m["content"] for m in stored if m["role"] == "assistant"}
        users = [m["content"] for m in stored if m["role"] == "user"]
        for text, reply_id, reply in expected:
            if replies.get(reply_id) != reply or text not in users:
                missing += 1

    before = [t for t in turns_log if not t["after_kill"]]
    after = [t for t in turns_log if t["after_kill"]]
    follow_before = [t for t in before if t["previous"] is not None]
    sticky = sum(1 for t in follow_before if t["instance"] == t["previous"])
    moved = [t for t in after if t["previous"] == state["killed"]]
    moved_sessions = {t["session"] for t in moved}
    per_instance = {}
    for t in turns_log:
        per_instance.setdefault(t["instance"], {"before": 0, "after": 0})["after" if t["after_kill"] else "before"] += 1
    first_moved = {}
    for t in moved:
        first_moved.setdefault(t["session"], t)
    report = {
        "clients": len(keys), "sessions": len(keys) * sessions_per_client, "turns": len(turns_log), "seconds": round(elapsed, 1),
        "per_instance_turns": per_instance,
        "affinity_share_before_kill": round(sticky / len(follow_before), 4) if follow_before else None,
        "killed": state["killed"], "kill_after_turns": kill_after,
        "confirmed_messages": len(confirmed), "confirmed_missing": missing,
        "sessions_moved": len(moved_sessions),
        "moved_sessions_continued": sum(1 for s in moved_sessions if any(t["session"] == s for t in after)),
        "moved_first_turn_cached_prompt_tokens_median": percentile([t["cached_prompt_tokens"] for t in first_moved.values()], 50),
        "moved_first_turn_prompt_tokens_median": percentile([t["prompt_tokens"] for t in first_moved.values()], 50),
        "retries": len(errors), "retry_causes": sorted({e["error"] for e in errors}),
        "ttft_ms_before": {"p50": percentile([t["ttft_ms"] for t in before], 50), "p99": percentile([t["ttft_ms"] for t in before], 99)},
        "ttft_ms_after": {"p50": percentile([t["ttft_ms"] for t in after], 50), "p99": percentile([t["ttft_ms"] for t in after], 99)},
    }
    print(json.dumps(report, indent=2))

if __name__ == "__main__":
    main()
