#!/usr/bin/env bash
# Makes the ~200-distribution environment of issue 8's static doctor target without copying
# gigabytes: a new venv whose site-packages has a `.pth` line naming the real environment's
# site-packages (torch, tensorflow, jax, onnxruntime-gpu, cupy, nvidia-* wheels: ~70
# distributions), so both are on sys.path, plus ~130 small distributions from PyPI
# (bench/doctor200-requirements.txt, pinned, installed with --no-deps). Those the real
# environment already has are left out, so no name is shadowed.
#
#   bench/make_doctor_env.sh [REAL_VENV [DEST]]
#     REAL_VENV  default $MLSTACK_BENCH_REAL, else ~/.cache/mlstack/real-envs/current/venv
#     DEST       default /work/benchenvs/doctor200
#
# Prints DEST's interpreter and its number of distributions. Re-running with an existing
# DEST (made by this script) remakes it.
set -euo pipefail
cd "$(dirname "$0")/.."
REAL=${1:-${MLSTACK_BENCH_REAL:-$HOME/.cache/mlstack/real-envs/current/venv}}
DEST=${2:-/work/benchenvs/doctor200}
MARK=.mlstack-doctor-env

[ -x "$REAL/bin/python" ] || { echo "no interpreter at $REAL/bin/python" >&2; exit 2; }
if [ -e "$DEST" ]; then
  [ -e "$DEST/$MARK" ] || { echo "$DEST exists and was not made by $0; not touching it" >&2; exit 2; }
  rm -rf "$DEST"
fi
purelib() { "$1" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }
REAL_SITE=$(purelib "$REAL/bin/python")
BASE=$("$REAL/bin/python" -c 'import sys; print(sys._base_executable)')

"$BASE" -m venv --without-pip "$DEST"  # no pip/setuptools of its own to shadow the real ones
touch "$DEST/$MARK"
SITE=$(purelib "$DEST/bin/python")

# The pinned list less what the real environment has (by normalized name).
"$REAL/bin/python" - bench/doctor200-requirements.txt > "$DEST/requirements.txt" <<'PY'
import importlib.metadata as md, re, sys
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
have = {norm(d.metadata["Name"]) for d in md.distributions() if d.metadata["Name"]}
for line in open(sys.argv[1]):
    line = line.strip()
    if line and not line.startswith("#") and norm(line.split("==")[0]) not in have:
        print(line)
PY
"$REAL/bin/python" -m pip --python "$DEST/bin/python" install --no-deps --no-input -q -r "$DEST/requirements.txt"

# Last: from here on pip in DEST would see (and could try to change) the real environment.
echo "$REAL_SITE" > "$SITE/mlstack-real-env.pth"
n=$("$DEST/bin/python" -c 'import importlib.metadata as md; print(len({d.metadata["Name"].lower() for d in md.distributions()}))')
echo "$DEST/bin/python: $n distributions ($(wc -l < "$DEST/requirements.txt") installed here, the rest from $REAL_SITE)"
