#!/usr/bin/env bash
# Builds the self-contained Linux x64 agent bundle that controllers serve to GPU boxes at
# /install/ (GPU boxes often have no Java): a jlink'd Java runtime + the agent jar + a launcher.
#   scripts/build-agent-bundle.sh [OUT.tar.gz]     (default agent/target/drover-agent-linux-x64.tar.gz)
# Then: drover controller --agent-bundle OUT.tar.gz, and on the GPU box
#   curl -fsSL http://CONTROLLER/install/agent.sh | sudo bash -s -- --queue gpu --gpus all --token T
# Needs a JDK 17 with jmods (Debian: openjdk-17-jdk-headless + openjdk-17-jmods). Fails when the
# bundle exceeds 45 MB.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
OUT=${1:-$ROOT/agent/target/drover-agent-linux-x64.tar.gz}
MAX_BYTES=$((45 * 1000 * 1000))
JDK=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
die() { echo "build-agent-bundle: $*" >&2; exit 1; }

[[ -x $JDK/bin/jlink ]] || die "no jlink under $JDK: install a JDK 17 (openjdk-17-jdk-headless) or set JAVA_HOME"
[[ -d $JDK/jmods ]] || die "no jmods under $JDK: apt-get install openjdk-17-jmods (jlink needs them)"
[[ $(uname -m) == x86_64 ]] || die "this builds a Linux x64 bundle and must run on Linux x64 (the runtime is this JDK's)"

AGENT_JAR=$(ls -t "$ROOT"/agent/target/drover-agent-*-all.jar 2>/dev/null | head -1 || true)
if [[ -z $AGENT_JAR || -n $(find "$ROOT/agent/src" "$ROOT/shared/src" -type f -newer "$AGENT_JAR" -print -quit) ]]; then
  echo "building the agent jar…" >&2
  (cd "$ROOT" && mvn -q -B -o -DskipTests package -pl shared,queue,ui-static,controller,agent) >&2 \
    || (cd "$ROOT" && mvn -q -B -DskipTests package -pl shared,queue,ui-static,controller,agent) >&2
  AGENT_JAR=$(ls -t "$ROOT"/agent/target/drover-agent-*-all.jar | head -1)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir=$work/drover-agent
mkdir -p "$dir/bin" "$dir/lib"

# The modules the agent and the controller use (jdeps on the shaded jars, plus what is loaded
# reflectively: jdk.crypto.ec for TLS, jdk.naming.dns for SRV lookups, jdk.zipfs for JGit).
# java.desktop is left out on purpose (12 MB): nothing here draws. The controller runs on this
# runtime too (scripts/gpu-check.sh does), standalone (clustering wants java.se: use a full JDK).
MODULES=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.scripting
MODULES+=,java.security.jgss,java.security.sasl,java.instrument,java.prefs,java.compiler,java.rmi
MODULES+=,java.transaction.xa,java.xml.crypto,jdk.unsupported,jdk.management,jdk.crypto.ec,jdk.zipfs
MODULES+=,jdk.naming.dns,jdk.net
# --compress=0: the tar.gz compresses the plain module image better than jlink's zip does (20 vs 34 MB).
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=0 \
  --output "$dir/runtime"
# the JDK's class-data archive makes every CLI call ~40% faster to start
"$dir/runtime/bin/java" -Xshare:dump >/dev/null 2>&1 || true

cp "$AGENT_JAR" "$dir/lib/drover-agent.jar"
version=$(unzip -p "$AGENT_JAR" META-INF/MANIFEST.MF 2>/dev/null | sed -n 's/^Implementation-Version: *//p' | tr -d '\r' || true)
echo "${version:-0.1.0-SNAPSHOT}" >"$dir/VERSION"

cp "$ROOT/agent/src/main/bundle/bin/drover" "$dir/bin/drover"
chmod +x "$dir/bin/drover"

mkdir -p "$(dirname "$OUT")"
tar -C "$work" -czf "$OUT.tmp" drover-agent
mv "$OUT.tmp" "$OUT"
size=$(stat -c %s "$OUT")
sha256sum "$OUT" | awk '{print $1}' >"$OUT.sha256"
echo "agent bundle: $OUT ($(awk -v s="$size" 'BEGIN{printf "%.1f", s/1000000}') MB, runtime $(du -sh "$dir/runtime" | cut -f1) unpacked, limit 45 MB)"
((size <= MAX_BYTES)) || die "the bundle is $size bytes, over the 45 MB limit"
