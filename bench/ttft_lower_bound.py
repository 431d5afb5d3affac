#!/usr/bin/env python3
"""The best p95 time to first token any scheduler could give the capacity phase's users on one core (issue 19).

Each user sends a message after an exponential gap (mean 60 s) from the end of their last reply, as
`frugal bench --capacity` does. Every turn's prompt must be evaluated before its first token, and one core evaluates
one prompt at a time, so the prompts alone form a single-server queue. This simulates that queue with the replies
costing nothing at all (a lower bound: real replies also need the core, and must keep 6 tokens/s each): the time to
first token of a turn is the wait for the prompts ahead of it plus its own prompt time.

    bench/ttft_lower_bound.py --prompt-seconds 1.95 1.45 [--users 6 8 10 12] [--reply-seconds 3] [--hours 200]
    bench/ttft_lower_bound.py --capacity-json bench/capacity-*.json    (prompt time: each policy's one-user-alone TTFT)

Prints p50 / p95 per user count; the issue's target needs p95 <= 3 s at 10 users.
"""
import argparse
import heapq
import json
import random


def simulate(users, prompt_seconds, reply_seconds, hours, seed=1):
    rnd = random.Random(seed)
    end = hours * 3600
    arrivals = [(rnd.expovariate(1 / 60), u) for u in range(users)]
    heapq.heapify(arrivals)
    free_at = 0.0
    ttft = []
    while arrivals:
        t, user = heapq.heappop(arrivals)
        if t > end:
            break
        done = max(t, free_at) + prompt_seconds
        free_at = done
        ttft.append(done - t)
        heapq.heappush(arrivals, (done + reply_seconds + rnd.expovariate(1 / 60), user))
    ttft.sort()
    return ttft[len(ttft) // 2], ttft[int(0.95 * len(ttft))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompt-seconds", type=float, nargs="*", default=[])
    parser.add_argument("--capacity-json", nargs="*", default=[])
    parser.add_argument("--users", type=int, nargs="+", default=[6, 8, 10, 12])
    parser.add_argument("--reply-seconds", type=float, default=3.0)
    parser.add_argument("--hours", type=float, default=200)
    args = parser.parse_args()
    cases = [(f"prompt {s:.2f} s", s) for s in args.prompt_seconds]
    for path in args.capacity_json:
        with open(path) as f:
            report = json.load(f)
        for policy in report["policies"]:
            cases.append((f"{report['model']} {policy['policy']} (alone TTFT {policy['alone_ttft_seconds']:.2f} s)", policy["alone_ttft_seconds"]))
    print("| prompt | " + " | ".join(f"{u} users p50 / p95" for u in args.users) + " |")
    print("|---|" + "---:|" * len(args.users))
    for name, seconds in cases:
        cells = []
        for users in args.users:
            p50, p95 = simulate(users, seconds, args.reply_seconds, args.hours)
            cells.append(f"{p50:.2f} / {'**' if p95 <= 3 else ''}{p95:.2f}{'**' if p95 <= 3 else ''} s")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
