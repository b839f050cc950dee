#!/usr/bin/env bash
# GPU check: on a Linux x64 machine with an NVIDIA GPU, Python + PyTorch and NO Java, runs a
# controller and an agent from the agent bundle (its jlink'd runtime runs both), installs the agent
# through the controller's /install/agent.sh, submits a PyTorch task asking for 1 GPU, and checks:
#   1. the agent reported the GPU model and memory (GET /workers),
#   2. the task ran with its GPU visible (CUDA_VISIBLE_DEVICES set, torch sees the device) and completed,
#   3. GPU utilisation above zero was recorded during the run (worker stats history / task scalars),
#   4. where uv is on PATH: a task with --env-manager uv builds its venv through uv and runs
#      (requirements: six, from PIP_INDEX_URL when set, e.g. a local mirror on an offline box),
#   5. more 1-GPU tasks than GPUs wait for each other instead of sharing (and how soon a freed GPU
#      goes to the next task).
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
# what one monitoring sample costs the agent (it runs this query every 5 s)
python3 - <<'PY'
import subprocess, time
q = ["nvidia-smi", "--query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu,utilization.memory,"
     "temperature.gpu,power.draw,power.limit,fan.speed,driver_version", "--format=csv,noheader,nounits"]
t = []
for _ in range(5):
    t0 = time.perf_counter(); subprocess.run(q, capture_output=True, check=True); t.append((time.perf_counter() - t0) * 1000)
print("nvidia-smi --query-gpu: %.0f ms median of 5 (min %.0f, max %.0f)" % (sorted(t)[2], min(t), max(t)))
PY
command -v java >/dev/null && echo "(a java is on PATH, but this check uses only the bundled runtime)"

tmp=$(mktemp -d /tmp/drover-gpu-check.XXXXXX)
cpid=""
cleanup() {
  if [[ -n ${OUT:-} ]]; then # the logs, for a look after the machine is gone
    cp "$tmp/controller.log" "$OUT/" 2>/dev/null
    cp "$tmp/opt/drover-agent/logs/agent.log" "$OUT/" 2>/dev/null
  fi
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

checks=3
if command -v uv >/dev/null; then
  checks=$((checks + 1))
  echo "== 4. a task with --env-manager uv ($(uv --version))"
  uvrepo=$tmp/uvrepo; mkdir -p "$uvrepo"
  printf 'six\n' >"$uvrepo/requirements.txt"
  printf 'import os, six, sys\nprint("six", six.__version__, "python", sys.executable, "gpus", os.environ.get("CUDA_VISIBLE_DEVICES"), flush=True)\n' >"$uvrepo/uvtask.py"
  (cd "$uvrepo" && git init -q -b main && git add . && git -c user.email=c@x -c user.name=c commit -qm uv)
  t0=$(date +%s.%N)
  uvout=$("$tmp/drover-agent/bin/drover" submit "$uvrepo" --script uvtask.py --queue gpu --gpus 1 --env-manager uv \
    --requirements requirements.txt --name uv-check --wait 2>&1); uvrc=$?
  echo "$uvout" | tail -12
  if [[ $uvrc == 0 ]] && grep -q '\$ uv pip install -r requirements.txt' <<<"$uvout" && grep -q '^six ' <<<"$uvout"; then
    pass "4. the uv builder made the venv and the task ran in it ($(python3 -c "import time,sys; print('%.1f s' % (time.time() - float(sys.argv[1])))" "$t0") submit to end)"
  else
    fail "4. the uv task failed (exit $uvrc, console above)"
  fi
else
  echo "SKIP: 4. uv is not on PATH"
fi

ngpu=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
checks=$((checks + 1))
echo "== 5. $((ngpu + 2)) tasks asking for 1 GPU each on $ngpu GPU(s)"
fitrepo=$tmp/fitrepo; mkdir -p "$fitrepo"
printf 'import os, time\nprint("gpus", os.environ.get("CUDA_VISIBLE_DEVICES"), flush=True)\ntime.sleep(3)\n' >"$fitrepo/fit.py"
(cd "$fitrepo" && git init -q -b main && git add . && git -c user.email=c@x -c user.name=c commit -qm fit)
ids=()
for i in $(seq 0 "$((ngpu + 1))"); do
  ids+=("$("$tmp/drover-agent/bin/drover" submit "$fitrepo" --script fit.py --queue gpu --gpus 1 --env-manager system --name "fit-$i" 2>/dev/null | tail -1)")
done
for _ in $(seq 1 120); do
  done_n=0
  for id in "${ids[@]}"; do
    [[ $(api "/tasks/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])') == completed ]] && done_n=$((done_n + 1))
  done
  ((done_n == ${#ids[@]})) && break
  sleep 1
done
verdict=$(for id in "${ids[@]}"; do api "/tasks/$id"; echo; done | python3 -c '
import json, sys
from datetime import datetime
def t(s): return datetime.fromisoformat(s.replace("Z", "+00:00"))
ts = [json.loads(l) for l in sys.stdin if l.strip()]
ngpu = int(sys.argv[1])
if any(x["status"] != "completed" for x in ts):
    print("FAIL statuses " + " ".join(x["status"] for x in ts)); sys.exit()
iv = sorted((t(x["execution"]["startedAt"]), t(x["execution"]["finishedAt"])) for x in ts)
# at any start, how many tasks were running (each holds one GPU)
peak = max(sum(1 for s, e in iv if s <= s0 < e) for s0, _ in iv)
# how soon a GPU freed by one task went to the next (clone + environment included)
gaps = [(iv[i + ngpu][0] - iv[i][1]).total_seconds() * 1000 for i in range(len(iv) - ngpu)]
print(("PASS" if peak <= ngpu else "FAIL") + " at most %d ran at once on %d GPU(s); freed GPU to next start %s ms"
      % (peak, ngpu, ", ".join("%.0f" % g for g in gaps)))' "$ngpu")
echo "$verdict"
if [[ $verdict == PASS* ]]; then pass "5. GPU fit: ${verdict#PASS }"; else fail "5. GPU fit: ${verdict#FAIL }"; fi

echo "== $((checks - fails))/$checks checks passed"
exit $((fails > 0))
