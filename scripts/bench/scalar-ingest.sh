#!/usr/bin/env bash
# Scalar metrics on the embedded store (H2 file): ingest rate through POST /tasks/{id}/scalars
# (1,000,000 points in batches of 10,000) against the raw insertMany rate of the same points into
# the same store in the same run (ratio printed), and the chart query time (p50/p95 of 20) for the
# 1,000,000-point series downsampled to <= 2,000 buckets.
#
#   scripts/bench/scalar-ingest.sh [--points 1000000] [--batch 10000]
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
java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "$CP" io.drover.controller.scalars.bench.ScalarIngestBench "$@"
