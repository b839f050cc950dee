#!/usr/bin/env bash
# Environment preparation for a task needing numpy + scikit-learn: a cold build (empty cache)
# vs a cache hit, for pip and (when uv is on PATH) uv, through the agent's own env code.
# Usage: scripts/bench/env-prepare.sh [HITS=7]   (VERBOSE=1 shows the build output, KEEP_TMP=1 keeps the envs)
# Uses the agent's shaded jar (built by scripts/drover when stale); DROVER_AGENT_CP=<classpath> uses that instead.
# With /opt/pypi/simple present (this workplace's package mirror) pip and uv read it, as tests and CI do.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
HITS=${1:-7}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

CP=${DROVER_AGENT_CP:-}
if [[ -z $CP ]]; then
  "$ROOT/scripts/drover" --version >/dev/null # builds the jars first when the sources changed
  CP=$(ls -t "$ROOT"/agent/target/drover-agent-*all.jar 2>/dev/null | head -1)
  [[ -n $CP ]] || { echo "no agent jar under agent/target: run 'mvn -B -DskipTests package'" >&2; exit 1; }
fi
if [[ -d /opt/pypi/simple && -z ${PIP_INDEX_URL:-} ]]; then
  export PIP_INDEX_URL=file:///opt/pypi/simple
  echo "pip/uv index: $PIP_INDEX_URL (local mirror)"
fi
TMP=$(mktemp -d -t drover-env-bench-XXXXXX)
cleanup() { if [[ -n ${KEEP_TMP:-} ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi; }
trap cleanup EXIT
echo "machine: $(nproc) cores, $(uname -sr)"
"$JAVA" -cp "$CP" "$ROOT/scripts/bench/env-prepare/EnvPrepare.java" "$TMP" "$HITS" pip uv
