#!/usr/bin/env bash
# Packs what scripts/gpu-check.sh needs on a GPU machine that has no Java and no network into one
# folder, small enough for a 64 MiB transfer limit (the controller jar, 47 MB, travels as an xz'd
# tar of its unpacked classes, 19 MB; python3 re-zips it there), and prints the command to run there.
#   scripts/gpu-carry.sh [DIR]          (default ./gpu-carry; keep it out of git)
# Needs the agent bundle (scripts/build-agent-bundle.sh) and a controller build (mvn -DskipTests package).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
DIR=${1:-$ROOT/gpu-carry}
BUNDLE=$ROOT/agent/target/drover-agent-linux-x64.tar.gz
CJAR=$(ls -t "$ROOT"/controller/target/drover-controller-*-all.jar 2>/dev/null | head -1 || true)
die() { echo "gpu-carry: $*" >&2; exit 1; }
[[ -f $BUNDLE ]] || die "no agent bundle at $BUNDLE: run scripts/build-agent-bundle.sh"
[[ -n $CJAR ]] || die "no controller jar: mvn -B -DskipTests package -pl shared,queue,ui-static,controller"

rm -rf "$DIR" && mkdir -p "$DIR/classes"
cp "$BUNDLE" "$DIR/"
(cd "$DIR/classes" && unzip -q "$CJAR")
tar -C "$DIR/classes" -cf - . | xz -9 -T0 >"$DIR/controller-classes.tar.xz"
rm -rf "$DIR/classes"
# a one-package mirror (six) for the uv check, when this machine has a local mirror
if [[ -f /opt/pypi/simple/six/index.html ]]; then
  mkdir -p "$DIR/pypi/simple/six" "$DIR/pypi/files"
  cp /opt/pypi/simple/six/index.html "$DIR/pypi/simple/six/"
  grep -o 'files/[^#"]*' /opt/pypi/simple/six/index.html | while read -r f; do cp "/opt/pypi/$f" "$DIR/pypi/files/"; done
fi
rel=$(realpath --relative-to="$ROOT" "$DIR")
echo "gpu-carry: $(du -sh "$DIR" | cut -f1) in $DIR; on the GPU machine, from the repository root:"
cat <<CMD
cd $rel && python3 -c "import tarfile; tarfile.open('controller-classes.tar.xz').extractall('c')" \\
  && (cd c && python3 -m zipfile -c ../controller.jar *) && cd - >/dev/null \\
  && { [[ -d $rel/pypi ]] && (cd $rel/pypi && nohup python3 -m http.server 8765 --bind 127.0.0.1 </dev/null >/dev/null 2>&1 &) \\
       && sleep 1 && export PIP_INDEX_URL=http://127.0.0.1:8765/simple/; true; } \\
  && bash scripts/gpu-check.sh $rel/$(basename "$BUNDLE") $rel/controller.jar
CMD
