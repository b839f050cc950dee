#!/usr/bin/env bash
# The experiments table's first page with 100,000 tasks in the embedded store (H2 file): GET /tasks
# over HTTP (default sort; filtered by project+status; sorted by a metric's last value), p50/p95,
# against the plain store query (find+sort+limit on the tasks collection) in the same run, with
# the ratio; also the controller start (which loads the listing index) and the index's bytes per task.
#
#   scripts/bench/experiments-table.sh [--tasks 100000] [--runs 30]
set -euo pipefail
# Set DROVER_MVN_OFFLINE= (empty) to let Maven download what is missing.
cd "$(dirname "$0")/../.."
MVN="mvn -q -B -Dstyle.color=never ${DROVER_MVN_OFFLINE--o}"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
build() { "$@" >"$LOG" 2>&1 || { cat "$LOG" >&2; echo "build step failed: $*" >&2; exit 1; }; }
# Build shared and queue, then the controller (main + test classes) and write its test classpath.
build $MVN install -pl shared,queue -DskipTests
build $MVN test-compile -pl controller
build $MVN dependency:build-classpath -pl controller -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
CP="controller/target/test-classes:controller/target/classes:$(cat controller/target/bench.cp)"
java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$CP" io.drover.controller.tasks.bench.ExperimentsTableBench "$@"
