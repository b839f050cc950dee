#!/usr/bin/env bash
# Agent idle footprint: RSS and CPU% of an idle agent JVM (registered, long-polling an empty
# queue, heartbeating) over SECONDS (default 60). Starts its own controller and agent in temp
# dirs on a free port. Usage: scripts/bench/agent-idle-footprint.sh [SECONDS]  (KEEP_TMP=1 keeps the logs)
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
DROVER="$ROOT/scripts/drover"
DURATION=${1:-60}
SETTLE=${SETTLE:-10}

"$DROVER" --version >/dev/null # builds first if needed, so the agent's pid is the JVM's at once
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
get() { python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())' "$1" 2>/dev/null; }

# Auth off: a loopback-only controller for this measurement (auth is on by default and would refuse the agent).
"$DROVER" controller --auth off --port "$PORT" --data "$TMP/data" >"$TMP/controller.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do
  get "$URL/api/v1/health" >/dev/null && break
  kill -0 "${PIDS[0]}" 2>/dev/null || { cat "$TMP/controller.log" >&2; echo "controller failed to start" >&2; exit 1; }
  sleep 0.2
done
# scripts/drover execs java, so $! is the agent JVM itself.
"$DROVER" agent --controller "$URL" --work-dir "$TMP/agent" --name idle-agent >"$TMP/agent.log" 2>&1 &
AGENT=$!
PIDS=("$AGENT" "${PIDS[@]}")
for _ in $(seq 150); do
  get "$URL/api/v1/workers" | grep -q '"idle-agent"' && break
  kill -0 "$AGENT" 2>/dev/null || { cat "$TMP/agent.log" >&2; echo "agent failed to start" >&2; exit 1; }
  sleep 0.2
done
get "$URL/api/v1/workers" | grep -q '"idle-agent"' || { tail -n 30 "$TMP/agent.log" >&2; echo "agent did not register" >&2; exit 1; }
sleep "$SETTLE" # let start-up work (JIT, class loading) finish: idle means idle

ticks() { awk '{print $14 + $15}' "/proc/$AGENT/stat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$AGENT/status"; }
HZ=$(getconf CLK_TCK)
t0=$(ticks); s0=$(date +%s.%N); max=0; sum=0; n=0
end=$((SECONDS + DURATION))
while ((SECONDS < end)); do
  r=$(rss_kb); ((r > max)) && max=$r; sum=$((sum + r)); n=$((n + 1))
  sleep 1
done
t1=$(ticks); s1=$(date +%s.%N); last=$(rss_kb)
cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v s0="$s0" -v s1="$s1" 'BEGIN {printf "%.2f", (b - a) / hz / (s1 - s0) * 100}')
echo "agent idle footprint over ${DURATION} s (pid $AGENT, after ${SETTLE} s settling):"
printf '  RSS   max %6.1f MB   mean %6.1f MB   last %6.1f MB   target < 150 MB: %s\n' \
  "$(awk -v k="$max" 'BEGIN{print k/1024}')" "$(awk -v k="$sum" -v n="$n" 'BEGIN{print k/n/1024}')" \
  "$(awk -v k="$last" 'BEGIN{print k/1024}')" "$( ((max < 150 * 1024)) && echo PASS || echo FAIL)"
printf '  CPU   %s %% of one core   target < 0.5 %%: %s\n' "$cpu" \
  "$(awk -v c="$cpu" 'BEGIN{print (c < 0.5) ? "PASS" : "FAIL"}')"
echo "  JVM flags: $(tr '\0' ' ' <"/proc/$AGENT/cmdline" | sed 's/ -jar .*//')"
