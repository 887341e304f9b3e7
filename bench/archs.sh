#!/usr/bin/env bash
# `mlstack archs FILE` against `cuobjdump --list-elf FILE` on real framework libraries, side by
# side in one hyperfine run per file (issue 7: >= 20x on libtorch_cuda.so). Ratios go to
# bench/RESULTS.md by hand, with this command line.
#
#   bench/archs.sh            # fetches what it needs into build/bench-archs (~1.4 GB of wheels)
#
# Files: torch 1.12.1's libtorch_cuda.so (cu102, 852 MB: sm_35..sm_75, read with the CUDA 11.8
# cuobjdump, the newest that still accepts sm_35) and torch 2.15.0's (cu132, 1 GB, CUDA 13.5
# cuobjdump from PyPI's nvidia-cuda-cuobjdump). The 11.8 cuobjdump comes from Debian's
# non-free nvidia-cuda-toolkit package, downloaded and unpacked here (the system's apt sources
# are not changed).
set -euo pipefail
cd "$(dirname "$0")/.."
ML=${MLSTACK:-build/release/mlstack}
DIR=build/bench-archs
OUT=build/bench-results
mkdir -p "$DIR" "$OUT"

wheel_lib() {  # wheel_lib SPEC PYVER PLATFORM MEMBER DEST
  [ -s "$5" ] && return
  pip download -q --no-deps --only-binary=:all: "$1" --python-version "$2" --platform "$3" -d "$DIR/wheels"
  local w
  w=$(ls "$DIR"/wheels/"${1%%==*}"-"${1##*==}"-*.whl | head -1)
  unzip -o -q -j "$w" "$4" -d "$(dirname "$5")"
  mv "$(dirname "$5")/$(basename "$4")" "$5"
}
wheel_lib torch==1.12.1 3.10 manylinux1_x86_64 torch/lib/libtorch_cuda.so "$DIR/torch-1.12.1/libtorch_cuda.so"
wheel_lib torch==2.15.0 3.11 manylinux_2_28_x86_64 torch/lib/libtorch_cuda.so "$DIR/torch-2.15.0/libtorch_cuda.so"

CUOBJDUMP=${CUOBJDUMP:-$DIR/cuobjdump13/nvidia/cu13/bin/cuobjdump}
if [ ! -x "$CUOBJDUMP" ]; then
  pip install -q --target "$DIR/cuobjdump13" nvidia-cuda-cuobjdump
  chmod +x "$CUOBJDUMP"
fi
CUOBJDUMP_OLD=${CUOBJDUMP_OLD:-$DIR/cuobjdump11/usr/bin/cuobjdump}
if [ ! -x "$CUOBJDUMP_OLD" ]; then
  apt_dir="$DIR/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  echo "deb http://deb.debian.org/debian bookworm main contrib non-free" > "$apt_dir/sources.list"
  opts=(-o "Dir::Etc::sourcelist=$PWD/$apt_dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
        -o "Dir::State::Lists=$PWD/$apt_dir/lists" -o "Dir::Cache=$PWD/$apt_dir/cache")
  apt-get "${opts[@]}" update -qq
  (cd "$apt_dir" && apt-get "${opts[@]}" download nvidia-cuda-toolkit >/dev/null 2>&1)
  dpkg -x "$apt_dir"/nvidia-cuda-toolkit_*.deb "$DIR/cuobjdump11"
fi

bench_file() {  # bench_file LABEL FILE CUOBJDUMP
  hyperfine -N --warmup 2 --min-runs 5 --export-json "$OUT/archs-$1.json" \
    -n "mlstack archs" "$ML archs $2" \
    -n "cuobjdump --list-elf" "$3 --list-elf $2"
  python3 - "$OUT/archs-$1.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"ratio: cuobjdump/mlstack {r['cuobjdump --list-elf'] / r['mlstack archs']:.0f}x")
PY
}
bench_file torch-1.12.1 "$DIR/torch-1.12.1/libtorch_cuda.so" "$CUOBJDUMP_OLD"
bench_file torch-2.15.0 "$DIR/torch-2.15.0/libtorch_cuda.so" "$CUOBJDUMP"
