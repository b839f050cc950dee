#!/usr/bin/env bash
# Drover agent installer, served by the controller at /install/agent.sh. On the GPU box:
#   curl -fsSL @CONTROLLER_URL@/install/agent.sh | sudo bash -s -- --queue gpu --gpus all --token T
# Installs a self-contained agent (its own Java runtime) under /opt/drover-agent, runs it as the
# systemd service drover-agent (or a plain background process where systemd is absent), and it
# shows up on the controller's workers page. Run again to upgrade; --uninstall removes it.
set -euo pipefail

CONTROLLER="@CONTROLLER_URL@"
BUNDLE_NAME="@BUNDLE_NAME@"
BUNDLE_SHA256="@BUNDLE_SHA256@"
PREFIX=/opt/drover-agent
UNIT=drover-agent
QUEUES=()
GPUS=""
TOKEN="${DROVER_API_KEY:-}"
NAME=""
MAX_PARALLEL=""
SERVICE=auto
UNINSTALL=0

say() { echo "drover-agent: $*"; }
die() { echo "drover-agent: $*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: agent.sh [--queue Q]... [--gpus all|0,1,...] --token KEY [--name NAME] [--max-parallel N]
                [--prefix DIR] [--service systemd|background] [--controller URL] | --uninstall
  --queue Q         queue to serve, repeatable, first = most important (default: default)
  --gpus G          GPUs the agent may hand out: all, or indexes like 0,1 (default: none)
  --token KEY       a worker key: drover keys create --worker (or env DROVER_API_KEY)
  --name NAME       worker name (default: the host name)
  --max-parallel N  tasks run at once (default: the agent's)
  --prefix DIR      install folder (default /opt/drover-agent)
  --service S       systemd (default when systemd runs) or background (a plain process)
  --controller URL  controller to serve (default $CONTROLLER)
  --uninstall       stop the agent and remove DIR
EOF
}

while (($#)); do
  case $1 in
    --queue|--gpus|--token|--name|--max-parallel|--prefix|--service|--controller)
      [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (see --help)"
      case $1 in
        --queue) QUEUES+=("$2") ;; --gpus) GPUS=$2 ;; --token) TOKEN=$2 ;; --name) NAME=$2 ;;
        --max-parallel) MAX_PARALLEL=$2 ;; --prefix) PREFIX=$2 ;; --service) SERVICE=$2 ;;
        --controller) CONTROLLER=$2 ;;
      esac
      shift 2 ;;
    --uninstall) UNINSTALL=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

[[ $(uname -s) == Linux && $(uname -m) == x86_64 ]] || die "the agent bundle is for Linux x64; this is $(uname -s) $(uname -m)"
[[ $PREFIX == /* ]] || die "--prefix must be an absolute path, got '$PREFIX'"
case $SERVICE in
  auto) if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then SERVICE=systemd; else SERVICE=background; fi ;;
  systemd|background) ;;
  *) die "--service must be systemd or background, got '$SERVICE'" ;;
esac
if [[ $SERVICE == systemd || $PREFIX == /opt/* ]] && [[ $(id -u) != 0 ]]; then
  die "run as root (curl … | sudo bash -s -- …), or install elsewhere with --prefix DIR --service background"
fi

stop_agent() {
  if [[ -f /etc/systemd/system/$UNIT.service ]] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now "$UNIT" >/dev/null 2>&1 || true
  fi
  local pidfile=$PREFIX/run/agent.pid pid
  if [[ -f $pidfile ]]; then
    pid=$(cat "$pidfile")
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
      # SIGTERM: the agent hands its running tasks back to their queues, then exits
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  fi
}

if ((UNINSTALL)); then
  stop_agent
  if [[ -f /etc/systemd/system/$UNIT.service ]]; then
    rm -f "/etc/systemd/system/$UNIT.service"
    systemctl daemon-reload >/dev/null 2>&1 || true
  fi
  [[ -d $PREFIX && -f $PREFIX/.drover-agent ]] && rm -rf "$PREFIX"
  say "removed (the worker stays listed as offline on the controller)"
  exit 0
fi

[[ -n $TOKEN ]] || die "--token is required: a worker key (create one with: drover keys create --worker)"
[[ $TOKEN =~ ^drk_[0-9a-f]{16}_[0-9a-f]{40}$ ]] || die "--token does not look like a Drover key (drk_<16 hex>_<40 hex>)"
[[ $BUNDLE_SHA256 =~ ^[0-9a-f]{64}$ ]] \
  || die "the controller at $CONTROLLER has no agent bundle to serve: start it with --agent-bundle FILE (scripts/build-agent-bundle.sh makes one)"
if ((${#QUEUES[@]} == 0)); then QUEUES=(default); fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say "downloading the agent bundle from $CONTROLLER"
if command -v curl >/dev/null 2>&1; then
  curl -fsSL "$CONTROLLER/install/$BUNDLE_NAME" -o "$tmp/bundle.tar.gz" || die "download failed: $CONTROLLER/install/$BUNDLE_NAME"
else
  wget -q "$CONTROLLER/install/$BUNDLE_NAME" -O "$tmp/bundle.tar.gz" || die "download failed: $CONTROLLER/install/$BUNDLE_NAME"
fi
echo "$BUNDLE_SHA256  $tmp/bundle.tar.gz" | sha256sum -c --status \
  || die "the bundle's SHA-256 does not match what the controller announced: download again, or rebuild it on the controller"
tar -xzf "$tmp/bundle.tar.gz" -C "$tmp"
[[ -x $tmp/drover-agent/runtime/bin/java && -f $tmp/drover-agent/lib/drover-agent.jar ]] || die "the bundle is incomplete (no runtime or agent jar)"

stop_agent # an upgrade: the old agent hands its tasks back first
mkdir -p "$PREFIX" "$PREFIX/home" "$PREFIX/work" "$PREFIX/logs" "$PREFIX/run"
touch "$PREFIX/.drover-agent" # --uninstall removes only a folder that carries this mark
rm -rf "$PREFIX/runtime" "$PREFIX/lib" "$PREFIX/bin"
cp -a "$tmp/drover-agent/runtime" "$tmp/drover-agent/lib" "$tmp/drover-agent/bin" "$tmp/drover-agent/VERSION" "$PREFIX/"

# The key lives only in this 0600 file (never on a command line, where ps shows it).
(umask 077; cat >"$PREFIX/agent.env" <<EOF
DROVER_CONTROLLER=$CONTROLLER
DROVER_API_KEY=$TOKEN
DROVER_HOME=$PREFIX/home
EOF
)
args=(agent --work-dir "$PREFIX/work")
for q in "${QUEUES[@]}"; do args+=(--queue "$q"); done
[[ -n $GPUS ]] && args+=(--gpus "$GPUS")
[[ -n $NAME ]] && args+=(--name "$NAME")
[[ -n $MAX_PARALLEL ]] && args+=(--max-parallel "$MAX_PARALLEL")

if [[ $SERVICE == systemd ]]; then
  cat >"/etc/systemd/system/$UNIT.service" <<EOF
[Unit]
Description=Drover agent (runs queued tasks on this machine)
After=network-online.target
Wants=network-online.target

[Service]
EnvironmentFile=$PREFIX/agent.env
ExecStart=$PREFIX/bin/drover ${args[*]}
Restart=always
RestartSec=5
# SIGTERM to the agent only: it hands its running tasks back to their queues, then stops them
KillMode=mixed
TimeoutStopSec=60

[Install]
WantedBy=multi-user.target
EOF
  systemctl daemon-reload
  systemctl enable --now "$UNIT" >/dev/null
  say "installed in $PREFIX and started as the systemd service $UNIT (journalctl -u $UNIT)"
else
  (
    set -a
    # shellcheck disable=SC1091
    . "$PREFIX/agent.env"
    set +a
    setsid nohup "$PREFIX/bin/drover" "${args[@]}" >>"$PREFIX/logs/agent.log" 2>&1 </dev/null &
    echo $! >"$PREFIX/run/agent.pid"
  )
  say "installed in $PREFIX and started in the background (pid $(cat "$PREFIX/run/agent.pid"), log $PREFIX/logs/agent.log)"
  say "no systemd here: it does not restart on reboot; run this installer again to start it"
fi
sleep 2
if [[ $SERVICE == background ]] && ! kill -0 "$(cat "$PREFIX/run/agent.pid")" 2>/dev/null; then
  tail -n 20 "$PREFIX/logs/agent.log" >&2 || true
  die "the agent stopped right after starting (log above)"
fi
say "it shows up on $CONTROLLER/ui/workers.html within a few seconds"
