#!/usr/bin/env bash
# Claim throughput of the task queue on the embedded store (H2 backend on a temp file):
# N queued tasks (1,000 and 10,000), 8 claimers that claim and complete at once, tasks/s,
# with the naive sorted-pop baseline and the ratio in the same run. Target: >= 500/s at 10,000.
#
#   scripts/bench/claim-throughput.sh [--sizes 1000,10000] [--threads 8] [--baseline-seconds 10] [--backend h2|memory]
set -euo pipefail
# Set DROVER_MVN_OFFLINE= (empty) to let Maven download what is missing.
cd "$(dirname "$0")/../.."
MVN="mvn -q -B -Dstyle.color=never ${DROVER_MVN_OFFLINE--o}"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
build() { "$@" >"$LOG" 2>&1 || { cat "$LOG" >&2; echo "build step failed: $*" >&2; exit 1; }; }
# Build shared and queue (main + test classes) and write the test classpath.
build $MVN install -pl shared -DskipTests
build $MVN test-compile -pl queue
build $MVN dependency:build-classpath -pl queue -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
CP="queue/target/test-classes:queue/target/classes:$(cat queue/target/bench.cp)"
java -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$CP" io.drover.queue.bench.ClaimThroughputBench "$@"
