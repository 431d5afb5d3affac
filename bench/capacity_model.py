#!/usr/bin/env python3
"""A model of the engine's scheduling on one core, to compare policies over hours of simulated users in seconds
(issue 19; a real `frugal bench --capacity` window of 4 minutes holds ~30 turns, so its p95 is nearly its maximum).

Users as in `frugal bench --capacity`: a PROMPT-token turn after an exponential gap (mean 60 s) from the end of their
last reply, a REPLY-token reply. The engine as `DecodeLoop` runs it: at most LIMIT streams (the most whose decode step
keeps FLOOR tokens/s, `StepCostModel.StreamsAbove`); every step decodes
one token of each decoding stream and carries prompt tokens of joining ones:
  paced    what Frugal does: as many prompt tokens (at most CHUNK) as the decoding streams' least time in hand over the
           floor over the rest of their reply pays for (`PrefillBudget`, `GenerationTally.FloorSlackSeconds`);
           a step with no stream decoding takes a whole batch of prompt;
  unpaced  CHUNK prompt tokens every step, whatever the streams have in hand (the engine before pacing);
  skip     while prompts wait, only the streams with under SKIP seconds in hand decode (earliest deadline first); the
           prompt budget is what those have in hand — a policy Frugal does not have, modelled here to size its gain.
  firstM   prompts first: while prompts wait every step carries a whole CHUNK of them, and only the streams with under
           M seconds in hand (default 0: those already behind the floor) decode beside it — the floor given up for
           time to first token, to see how far that goes (also not in Frugal).
Step costs (--costs, ms for 1..n streams, as `frugal serve` measures at start) and a prompt token's cost are inputs;
nothing else (session switches, sampling) is modelled, so the figures are optimistic.

    bench/capacity_model.py --costs 33.5 61.4 87.9 118.2 145.4 173 199.7 223.9 --prompt-token-ms 21 --users 6 8 10 12
"""
import argparse
import heapq
import random


def simulate(users, costs, token, policy, prompt=68, reply=64, floor=6.0, chunk=64, skip=0.3, hours=10, seed=1):
    rnd = random.Random(seed)
    cost = [0.0] + costs
    limit = 1
    for n in range(2, len(costs) + 1):
        if max(cost[1:n + 1]) * floor > 1:
            break
        limit = n
    t, end = 0.0, hours * 3600
    arrivals = [(rnd.expovariate(1 / 60), u) for u in range(users)]
    heapq.heapify(arrivals)
    queue, running, ttft, rates = [], [], [], []
    while t < end:
        while arrivals and arrivals[0][0] <= t:
            arrived, user = heapq.heappop(arrivals)
            queue.append({"user": user, "arrived": arrived, "evaluated": 0, "tokens": 0, "first": None})
        while queue and len(running) < limit:
            running.append(queue.pop(0))
        if not running:
            t = arrivals[0][0]
            continue
        decoding = [j for j in running if j["first"] is not None]
        joining = [j for j in running if j["first"] is None]
        step = cost[len(running)]

        def slack(j):
            return (reply - 1) / floor - (t - j["first"]) - (reply - j["tokens"]) * step

        stepping = decoding
        if not joining:
            budget = 0
        elif not decoding:
            budget = 512
        elif policy == "unpaced":
            budget = chunk
        elif policy.startswith("first"):
            margin = float(policy[len("first"):] or 0)
            stepping = [j for j in decoding if slack(j) < margin]
            budget = chunk
        else:
            if policy == "skip":
                stepping = [j for j in decoding if slack(j) < skip]
            least = min((slack(j) for j in stepping), default=float("inf"))
            budget = chunk if least / token >= chunk else max(0, int(least / token))
            if budget == 0 and not stepping:
                stepping = decoding
        used, prompted = 0, []
        for j in joining:
            if budget <= 0:
                break
            n = min(budget, prompt - j["evaluated"])
            j["evaluated"] += n
            budget -= n
            used += n
            if j["evaluated"] >= prompt:
                prompted.append(j)
        t += (cost[len(stepping)] if stepping else 0) + used * token
        for j in stepping:
            j["tokens"] += 1
            j["last"] = t
        for j in prompted:
            j["first"] = j["last"] = t
            j["tokens"] = 1
            ttft.append(t - j["arrived"])
        for j in list(decoding):
            if j["tokens"] >= reply:
                running.remove(j)
                rates.append((j["tokens"] - 1) / (j["last"] - j["first"]))
                heapq.heappush(arrivals, (t + rnd.expovariate(1 / 60), j["user"]))
    ttft.sort()
    rates.sort()
    return ttft[len(ttft) // 2], ttft[int(0.95 * len(ttft))], rates[int(0.05 * len(rates))], limit


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--costs", type=float, nargs="+", required=True, help="decode step of 1..n streams, ms")
    parser.add_argument("--prompt-token-ms", type=float, required=True)
    parser.add_argument("--users", type=int, nargs="+", default=[6, 8, 10, 12])
    parser.add_argument("--policies", nargs="+", default=["paced", "unpaced", "skip"])
    parser.add_argument("--prompt", type=int, default=68, help="prompt tokens a turn evaluates")
    parser.add_argument("--reply", type=int, default=64)
    parser.add_argument("--hours", type=float, default=10)
    args = parser.parse_args()
    costs = [c / 1000 for c in args.costs]
    print("| policy | " + " | ".join(f"{u} users: TTFT p50 / p95, rate p5" for u in args.users) + " |")
    print("|---|" + "---:|" * len(args.users))
    for policy in args.policies:
        cells = []
        for users in args.users:
            p50, p95, rate, limit = simulate(users, costs, args.prompt_token_ms / 1000, policy, args.prompt, args.reply, hours=args.hours)
            met = p95 <= 3 and rate >= 6
            cells.append(f"{'**' if met else ''}{p50:.2f} / {p95:.2f} s, {rate:.1f}{'**' if met else ''}")
        print(f"| {policy} ({limit} streams) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
