#!/usr/bin/env bash
# Cost of one drover log_scalar call (buffering only, no network: the flush thread is not started
# and the controller is never contacted), against a plain list.append in the same run.
# Usage: scripts/bench/python-client-cost.sh [CALLS]   (default 1,000,000; python3 from PATH or $PYTHON)
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
CALLS="${1:-1000000}"
PY="${PYTHON:-python3}"
PYTHONPATH="$here/shared/src/main/resources/io/drover/client/python" "$PY" - "$CALLS" <<'PYEOF'
import sys, time
import drover
n = int(sys.argv[1])
drover.MAX_BUFFER = n + 1       # keep every point: we time the append, not the drop path
drover.FLUSH_POINTS = n + 1     # and never wake a flusher (there is none: _start() is not called)
t = drover.Task("http://127.0.0.1:9", None, "0" * 24)

def best(fn, reps=3):
    r = []
    for _ in range(reps):
        t._points = []
        fn()
        r.append(min_t[0])
    return min(r)

def run_drover():
    log = t.log_scalar
    t0 = time.perf_counter()
    for i in range(n):
        log("loss", 0.5, i)
    min_t[0] = time.perf_counter() - t0

def run_auto_iter():
    log = t.log_scalar
    t0 = time.perf_counter()
    for i in range(n):
        log("loss", 0.5)
    min_t[0] = time.perf_counter() - t0

def run_append():
    lst = []
    app = lst.append
    t0 = time.perf_counter()
    for i in range(n):
        app(("loss", None, i, 0.5, time.time()))
    min_t[0] = time.perf_counter() - t0

def run_plain():
    lst = []
    app = lst.append
    t0 = time.perf_counter()
    for i in range(n):
        app(i)
    min_t[0] = time.perf_counter() - t0

min_t = [0.0]
plain = best(run_plain)
base = best(run_append)
d = best(run_drover)
a = best(run_auto_iter)
print("python %s, %d calls each, best of 3" % (sys.version.split()[0], n))
print("list.append(i) plain baseline:             %.3f us/call" % (plain / n * 1e6))
print("list.append(tuple + time.time()) baseline: %.3f us/call" % (base / n * 1e6))
print("log_scalar(metric, value, iter):           %.3f us/call  (%.1fx tuple baseline, %.1fx plain)" % (d / n * 1e6, d / base, d / plain))
print("log_scalar(metric, value) [auto iter]:     %.3f us/call  (%.1fx tuple baseline, %.1fx plain)" % (a / n * 1e6, a / base, a / plain))
PYEOF
