#!/usr/bin/env bash
# Pickup latency: enqueue -> first line printed by the task's process, warm repo and environment,
# over N tasks (default 50), with direct spawning of the same command as the baseline.
# Starts its own controller (embedded store, temp data dir, free port) and one agent; touches
# nothing of yours (DROVER_HOME points at a temp dir). Usage: scripts/bench/pickup-latency.sh [N]
# (WARMUP=n warm-up tasks, default 3; KEEP_TMP=1 keeps the logs)
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
DROVER="$ROOT/scripts/drover"
N=${1:-50}
WARMUP=${WARMUP:-3}

"$DROVER" --version >/dev/null # builds the jars first if needed, so nothing below waits on Maven
TMP=$(mktemp -d -t drover-bench-XXXXXX)
export DROVER_HOME="$TMP/home"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -n ${KEEP_TMP:-} ]]; then echo "kept $TMP (controller.log, agent.log)" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"

"$DROVER" controller --port "$PORT" --data "$TMP/data" >"$TMP/controller.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do
  python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$URL/api/v1/health" 2>/dev/null && break
  kill -0 "${PIDS[0]}" 2>/dev/null || { cat "$TMP/controller.log" >&2; echo "controller failed to start" >&2; exit 1; }
  sleep 0.2
done
"$DROVER" agent --controller "$URL" --work-dir "$TMP/agent" --name bench-agent >"$TMP/agent.log" 2>&1 &
PIDS+=($!)

# A repo whose script prints the wall clock as its first line.
REPO="$TMP/repo"
mkdir -p "$REPO"
cat >"$REPO/bench.py" <<'PY'
import time
print("T=" + repr(time.time()), flush=True)
PY
git -C "$REPO" init -q -b main
git -C "$REPO" add bench.py
git -C "$REPO" -c user.name=bench -c user.email=bench@drover.invalid commit -q -m bench

if ! python3 "$ROOT/scripts/bench/pickup-latency.py" --controller "$URL" --repo "$REPO" --tasks "$N" --warmup "$WARMUP"; then
  echo "--- agent log (tail) ---" >&2; tail -n 40 "$TMP/agent.log" >&2
  exit 1
fi
