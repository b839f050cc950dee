#!/usr/bin/env bash
# The embedded store under concurrent claims, updates and full reads (12 threads, 200 task-sized
# documents, over the wire driver, 4 s a round): mongo-java-server's plain H2 backend against
# Drover's copy-on-write one (CopyOnWriteH2Backend), in alternating rounds in one JVM. Prints each
# round, then per backend: rounds with failed requests or half-updated reads, and ops/s.
#
#   scripts/bench/store-concurrency.sh [--rounds 6]
set -euo pipefail
# Set DROVER_MVN_OFFLINE= (empty) to let Maven download what is missing.
cd "$(dirname "$0")/../.."
ROUNDS=6
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    *) echo "unknown option $1; use --rounds N" >&2; exit 2 ;;
  esac
done
MVN="mvn -q -B -Dstyle.color=never ${DROVER_MVN_OFFLINE--o}"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
$MVN install -pl shared,queue -DskipTests >"$LOG" 2>&1 || { cat "$LOG" >&2; exit 1; }
$MVN test -pl controller -Dtest='StoreConcurrencyBench#concurrentClaimsAndReads' -Drounds="$ROUNDS" \
  -Dsurefire.failIfNoSpecifiedTests=false >"$LOG" 2>&1 || { cat "$LOG" >&2; exit 1; }
grep -o 'BENCH .*' "$LOG"
echo "summary ($ROUNDS rounds of 4 s each per backend):"
grep -o 'BENCH .*' "$LOG" | python3 -c '
import re, sys
stats = {}
for line in sys.stdin:
    m = re.search(r"BENCH (\S+) round \d+: (\d+) ops in (\d+) ms .*errors \{(.*)\}, torn reads (\d+)", line)
    if not m: continue
    name, ops, ms, errors, torn = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), int(m.group(5))
    s = stats.setdefault(name, {"rounds": 0, "bad": 0, "rates": []})
    s["rounds"] += 1
    s["bad"] += 1 if errors.strip() or torn else 0
    s["rates"].append(ops * 1000 / max(1, ms))
for name, s in stats.items():
    r = sorted(s["rates"])
    print("  %-14s rounds with failures or torn reads: %d of %d; ops/s median %.0f (min %.0f, max %.0f)"
          % (name, s["bad"], s["rounds"], r[len(r) // 2], r[0], r[-1]))'
