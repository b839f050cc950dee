#!/usr/bin/env bash
# The issue-6 load scenario: 200 simulated agents (one JVM, real HTTP API: register, claim long-poll,
# heartbeat, finish with the lease epoch) against 2 clustered controllers on one shared embedded store,
# 20,000 tasks over 4 queues x 3 priorities created while the agents claim. Checks exactly once from the
# agents' ledger and from the store; prints throughput, claim latency p50/p99, time in queue per priority,
# and the same load against one controller in the same run (cluster/single ratio). Loopback only; stops
# by itself (each run gives up after --timeout-seconds). Exit 1 when a run was not exactly once.
#
#   scripts/bench/cluster-load.sh [--agents 200] [--tasks 20000] [--run-ms 5] [--timeout-seconds 300]
#                                 [--enqueue-lanes 16] [--controllers 2] [--backend h2|memory] [--no-single]
set -euo pipefail
# Set DROVER_MVN_OFFLINE= (empty) to let Maven download what is missing.
cd "$(dirname "$0")/../.."
MVN="mvn -q -B -Dstyle.color=never ${DROVER_MVN_OFFLINE--o}"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
build() { "$@" >"$LOG" 2>&1 || { cat "$LOG" >&2; echo "build step failed: $*" >&2; exit 1; }; }
# Build the controller's dependencies, its main + test classes, and write the test classpath.
build $MVN install -pl shared,queue,ui-static -DskipTests
build $MVN test-compile -pl controller
build $MVN dependency:build-classpath -pl controller -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
CP="controller/target/test-classes:controller/target/classes:$(cat controller/target/bench.cp)"
java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=error -Dhazelcast.logging.type=none \
  -cp "$CP" io.drover.controller.load.ClusterLoadBench "$@"
