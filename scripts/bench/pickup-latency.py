#!/usr/bin/env python3
"""Measures pickup latency against a running controller + agent (see pickup-latency.sh).

Each task runs bench.py, which prints "T=" + time.time() as its first line; latency = that value minus
the time just before the enqueueing POST. Tasks run one after another so the agent is idle and
warm for each. The baseline spawns `python3 bench.py` directly, measured the same way.
"""
import argparse
import json
import math
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime


def call(base, method, path, body=None, timeout=40):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + "/api/v1" + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def first_line_and_end(base, task_id, deadline_s=120):
    """Long-polls the task's log; returns (first stdout line, final task JSON)."""
    after, first, end = 0, None, time.time() + deadline_s
    while time.time() < end:
        page = call(base, "GET", f"/tasks/{task_id}/logs?after={after}&wait=20")
        for line in page.get("lines", []):
            after = max(after, line["seq"])
            # The agent's own "[drover] ..." lines share the log: take the script's marked one.
            if first is None and line.get("text", "").startswith("T="):
                first = line["text"][2:]
        if not page.get("lines") and page.get("status") in ("completed", "failed", "aborted"):
            return first, call(base, "GET", f"/tasks/{task_id}")
    raise SystemExit(f"task {task_id} did not finish within {deadline_s} s")


def run_task(base, repo, commit):
    body = {"name": "pickup", "project": "bench",
            "script": {"repo": repo, "branch": "main", "commit": commit, "entryPoint": "bench.py"},
            "enqueue": True}
    t0 = time.time()
    task = call(base, "POST", "/tasks", body)
    first, final = first_line_and_end(base, task["id"])
    if final["status"] != "completed" or first is None:
        raise SystemExit(f"task {task['id']} ended {final['status']}: {final.get('statusReason')}")
    started = final.get("execution", {}).get("startedAt")
    claimed = iso_seconds(started) - t0 if started else float("nan")
    return float(first) - t0, claimed


def iso_seconds(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def direct(repo):
    t0 = time.time()
    p = subprocess.Popen(["python3", "bench.py"], cwd=repo, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    p.wait()
    return float(line[2:]) - t0


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))]  # nearest rank


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--controller", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--tasks", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    commit = subprocess.check_output(["git", "-C", a.repo, "rev-parse", "HEAD"], text=True).strip()

    for i in range(a.warmup):  # first one clones the repo and builds the (empty) venv
        print(f"warm-up {i + 1}/{a.warmup}: {run_task(a.controller, a.repo, commit)[0] * 1000:.0f} ms", file=sys.stderr)
    runs = [run_task(a.controller, a.repo, commit) for _ in range(a.tasks)]
    drover = [r[0] for r in runs]
    claims = [r[1] for r in runs if r[1] == r[1]]  # NaN-free
    for _ in range(a.warmup):
        direct(a.repo)
    base = [direct(a.repo) for _ in range(a.tasks)]

    d50, d95 = pct(drover, 50) * 1000, pct(drover, 95) * 1000
    b50, b95 = pct(base, 50) * 1000, pct(base, 95) * 1000
    print(f"pickup latency, enqueue -> first line printed, {a.tasks} tasks (warm repo and env):")
    print(f"  drover           p50 {d50:7.1f} ms   p95 {d95:7.1f} ms   mean {statistics.mean(drover) * 1000:7.1f} ms   max {max(drover) * 1000:7.1f} ms")
    if claims:
        print(f"    of which enqueue -> running (claimed, controller clock) p50 {pct(claims, 50) * 1000:7.1f} ms"
              f"   p95 {pct(claims, 95) * 1000:7.1f} ms; the rest is the agent's checkout, env and launch")
    print(f"  direct python3   p50 {b50:7.1f} ms   p95 {b95:7.1f} ms   (spawn -> first line, same script)")
    print(f"  ratio drover/direct: p50 {d50 / b50:.1f}x   p95 {d95 / b95:.1f}x")
    print(f"  target p50 < 250 ms: {'PASS' if d50 < 250 else 'FAIL'}")


if __name__ == "__main__":
    main()
