#!/usr/bin/env bash
# GPU check: on a Linux x64 machine with an NVIDIA GPU, Python + PyTorch and NO Java, runs a
# controller and an agent from the agent bundle (its jlink'd runtime runs both), installs the agent
# through the controller's /install/agent.sh, submits a PyTorch task asking for 1 GPU, and checks:
#   1. the agent reported the GPU model and memory (GET /workers),
#   2. the task ran with its GPU visible (CUDA_VISIBLE_DEVICES set, torch sees the device) and completed,
#   3. GPU utilisation above zero was recorded during the run (worker stats history / task scalars).
# Usage (from the repository root, after scripts/build-agent-bundle.sh and a controller build):
#   scripts/gpu-check.sh [BUNDLE.tar.gz] [CONTROLLER.jar]
# Prints PASS/FAIL per check and exits non-zero when one fails. Writes a copy of its output to
# $OUT/gpu-check.log when OUT is set (the device tool's output folder).
set -uo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
BUNDLE=${1:-$ROOT/agent/target/drover-agent-linux-x64.tar.gz}
CJAR=${2:-$(ls -t "$ROOT"/controller/target/drover-controller-*-all.jar 2>/dev/null | head -1)}
if [[ -n ${OUT:-} ]]; then mkdir -p "$OUT"; exec > >(tee "$OUT/gpu-check.log") 2>&1; fi
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
die() { echo "gpu-check: $*" >&2; exit 2; }

[[ -f $BUNDLE ]] || die "no agent bundle at $BUNDLE (scripts/build-agent-bundle.sh makes it)"
[[ -n $CJAR && -f $CJAR ]] || die "no controller jar (mvn -DskipTests package, or give its path)"
command -v nvidia-smi >/dev/null || die "nvidia-smi not found: this check needs an NVIDIA GPU"
python3 -c 'import torch' 2>/dev/null || die "python3 cannot import torch"
echo "== machine"; nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv,noheader
command -v java >/dev/null && echo "(a java is on PATH, but this check uses only the bundled runtime)"

tmp=$(mktemp -d /tmp/drover-gpu-check.XXXXXX)
cpid=""
cleanup() {
  [[ -x $tmp/agent.sh ]] && bash "$tmp/agent.sh" --uninstall --prefix "$tmp/opt/drover-agent" >/dev/null 2>&1
  [[ -n $cpid ]] && kill "$cpid" 2>/dev/null && wait "$cpid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
tar -xzf "$BUNDLE" -C "$tmp" || die "cannot extract $BUNDLE"
JAVA=$tmp/drover-agent/runtime/bin/java
echo "== bundled runtime: $("$JAVA" -version 2>&1 | head -1); bundle $(du -h "$BUNDLE" | cut -f1)"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$port
export DROVER_HOME=$tmp/home
"$JAVA" -jar "$CJAR" --port "$port" --data "$tmp/data" --write-client-config --agent-bundle "$BUNDLE" \
  >"$tmp/controller.log" 2>&1 &
cpid=$!
for _ in $(seq 1 150); do curl -fs "$URL/health" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$URL/health" >/dev/null || { tail -30 "$tmp/controller.log"; die "the controller did not start on the bundled runtime"; }
pass "controller runs on the bundled runtime at $URL"
key() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$DROVER_HOME/config.json" "$1"; }
ADMIN=$(key apiKey); AGENT=$(key agentKey)
api() { curl -fsS -H "Authorization: Bearer $ADMIN" "$URL/api/v1$1"; }

echo "== install the agent through $URL/install/agent.sh"
curl -fsSL "$URL/install/agent.sh" -o "$tmp/agent.sh" && chmod +x "$tmp/agent.sh"
bash "$tmp/agent.sh" --prefix "$tmp/opt/drover-agent" --service background --queue gpu --gpus all \
  --name gpu-box --token "$AGENT" || die "the installer failed"

gpus_json=""
for _ in $(seq 1 60); do
  gpus_json=$(api /workers | python3 -c '
import json,sys
for w in json.load(sys.stdin)["items"]:
    if w["name"] == "gpu-box" and w.get("online") and w.get("gpus"): print(json.dumps(w["gpus"])); break')
  [[ -n $gpus_json ]] && break
  sleep 1
done
echo "worker gpus: $gpus_json"
if python3 -c 'import json,sys; g=json.loads(sys.argv[1]); assert g and "NVIDIA" in g[0]["name"] and g[0]["memTotalMb"] > 0' "$gpus_json" 2>/dev/null; then
  pass "1. the agent reported the GPU model and memory"
else
  fail "1. the agent did not report its GPU (see $tmp/opt/drover-agent/logs/agent.log)"; tail -20 "$tmp/opt/drover-agent/logs/agent.log"
fi

echo "== submit a PyTorch task asking for 1 GPU"
repo=$tmp/repo; mkdir -p "$repo"
cat >"$repo/train.py" <<'PY'
import os, time, torch
print("CUDA_VISIBLE_DEVICES=" + str(os.environ.get("CUDA_VISIBLE_DEVICES")), flush=True)
print("cuda available:", torch.cuda.is_available(), "devices:", torch.cuda.device_count(), flush=True)
dev = torch.device("cuda:0")
print("device:", torch.cuda.get_device_name(0), flush=True)
a = torch.randn(8192, 8192, device=dev)
t0, n = time.time(), 0
while time.time() - t0 < 10:
    (a @ a).sum().item()
    n += 1
print(f"matmuls: {n} in {time.time() - t0:.1f} s", flush=True)
PY
(cd "$repo" && git init -q -b main && git add . && git -c user.email=c@x -c user.name=c commit -qm gpu-check)
out=$("$tmp/drover-agent/bin/drover" submit "$repo" --script train.py --queue gpu --gpus 1 --env-manager system \
  --name gpu-check --wait 2>&1); rc=$?
echo "$out" | tail -15
id=$(echo "$out" | grep -oE '\b[0-9a-f]{24}\b' | head -1)
[[ -n $id ]] || die "submit printed no task id"
task=$(api "/tasks/$id")
status=$(echo "$task" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
logs=$(curl -fsS -H "Authorization: Bearer $ADMIN" "$URL/api/v1/tasks/$id/logs/download")
echo "$logs" | tail -8
if [[ $rc == 0 && $status == completed ]] && grep -q "CUDA_VISIBLE_DEVICES=[0-9]" <<<"$logs" \
    && grep -q "cuda available: True" <<<"$logs" && grep -q "device: NVIDIA" <<<"$logs"; then
  pass "2. the task ran with its GPU visible and completed ($(grep -o 'matmuls: .*' <<<"$logs"))"
else
  fail "2. task $id: status $status, exit $rc (console above)"
fi

util=$(api "/workers/gpu-box/stats?minutes=60" | python3 -c '
import json,sys
print(max([g.get("util") or 0 for i in json.load(sys.stdin)["items"] for g in i.get("gpus") or []] or [0]))')
tutil=$(api "/tasks/$id/scalars" | python3 -c '
import json,sys
print(max([s.get("max") or 0 for s in json.load(sys.stdin)["items"] if s["metric"].startswith("gpu") and "util" in s.get("variant","")] or [0]))')
echo "max GPU utilisation: worker history $util %, task resource scalars $tutil %"
if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 0 or float(sys.argv[2]) > 0 else 1)' "$util" "$tutil"; then
  pass "3. GPU utilisation above zero was recorded during the run"
else
  fail "3. no GPU utilisation above zero was recorded"
fi

echo "== $((3 - fails))/3 checks passed"
exit $((fails > 0))
