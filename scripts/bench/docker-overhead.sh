#!/usr/bin/env bash
# Docker-mode start overhead: the same trivial task (print a line, exit) started N times (default 20)
# through the agent's process launcher and through its container launcher, warm (environment built,
# image local); prints launch -> first output line and launch -> ended (container removed), medians
# and p90, and the docker/process ratio.
# Needs a Docker Engine API: $DOCKER_HOST, else it starts Podman's with scripts/ci/docker-api-via-podman.sh.
# The test image (a small Python image assembled from this machine's python3) is built through the API once.
#   scripts/bench/docker-overhead.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
MVN="mvn -q -B -Dstyle.color=never ${DROVER_MVN_OFFLINE--o}"
if [[ -z ${DOCKER_HOST:-} ]]; then
  DOCKER_HOST=$(scripts/ci/docker-api-via-podman.sh | tail -1)
  export DOCKER_HOST
fi
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
build() { "$@" >"$LOG" 2>&1 || { cat "$LOG" >&2; echo "build step failed: $*" >&2; exit 1; }; }
build $MVN install -pl shared -DskipTests
build $MVN test-compile -pl agent
build $MVN dependency:build-classpath -pl agent -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.cp
CP="agent/target/test-classes:agent/target/classes:$(cat agent/target/bench.cp)"
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" io.drover.agent.docker.DockerOverheadBench "${1:-20}"
