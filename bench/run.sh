#!/usr/bin/env bash
# Whole-process benchmarks: mlstack check/doctor vs `pip check` (pinned newest pip) and
# `uv pip check`, side by side in one hyperfine run per environment. Ratios go to
# bench/RESULTS.md by hand, with this command line.
#
#   bench/run.sh                 # generated 5,000-distribution env + the real env if present
#   MLSTACK_BENCH_REAL=/path/venv bench/run.sh   # + doctor vs torch.utils.collect_env if torch is there
#   MLSTACK_BENCH_SCALING=1 bench/run.sh   # also 500 / 5,000 / 50,000 for linear growth
set -euo pipefail
cd "$(dirname "$0")/.."
ML=${MLSTACK:-build/release/mlstack}
REF=build/refvenv
PIPREQ=$(grep '^pip==' tools/requirements-ref.txt)
ENVS=build/bench-envs
OUT=build/bench-results
mkdir -p "$ENVS" "$OUT"

gen() {  # gen NAME N [pip]
  [ -x "$ENVS/$1/bin/python" ] || python3 bench/gen_env.py "$ENVS/$1" "$2" ${3:+--pip "$PIPREQ"}
}

bench_env() {  # bench_env LABEL VENV
  local label=$1 venv=$2 py=$2/bin/python
  "$ML" check --python "$py" >/dev/null || true   # warm the interpreter cache
  hyperfine -N --warmup 3 --min-runs 10 --ignore-failure \
    --export-markdown "$OUT/$label.md" --export-json "$OUT/$label.json" \
    -n "mlstack check" "$ML check --python $py" \
    -n "mlstack doctor" "$ML doctor --python $py --color never" \
    -n "pip check" "$py -m pip check" \
    -n "uv pip check" "$REF/bin/uv pip check --python $py"
  python3 - "$OUT/$label.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
m = r["mlstack check"]
print(f"ratios: pip/mlstack {r['pip check']/m:.0f}x, uv/mlstack {r['uv pip check']/m:.1f}x, "
      f"doctor/check {r['mlstack doctor']/m:.2f}x")
PY
}

gen gen5000 5000 pip
bench_env gen5000 "$ENVS/gen5000"
if [ -n "${MLSTACK_BENCH_REAL:-}" ]; then
  bench_env real "$MLSTACK_BENCH_REAL"
  # Issue 3's peer for the static doctor: PyTorch's environment report, where torch is there.
  py=$MLSTACK_BENCH_REAL/bin/python
  if [ -f "$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/torch/utils/collect_env.py" ]; then
    hyperfine -N --warmup 1 --runs 5 --ignore-failure --export-json "$OUT/collect_env.json" \
      -n "mlstack doctor" "$ML doctor --python $py --color never" \
      -n "torch collect_env" "$py -m torch.utils.collect_env"
    python3 - "$OUT/collect_env.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"ratios: collect_env/doctor {r['torch collect_env']/r['mlstack doctor']:.0f}x "
      f"(doctor {r['mlstack doctor']*1000:.1f} ms)")
PY
  fi
fi
if [ -n "${MLSTACK_BENCH_SCALING:-}" ]; then
  for n in 500 5000 50000; do gen "scale$n" "$n"; done
  hyperfine -N --warmup 2 --min-runs 5 --ignore-failure --export-json "$OUT/scaling.json" \
    -n 500 "$ML check --python $ENVS/scale500/bin/python" \
    -n 5000 "$ML check --python $ENVS/scale5000/bin/python" \
    -n 50000 "$ML check --python $ENVS/scale50000/bin/python"
  python3 - "$OUT/scaling.json" <<'PY'
import json, sys
for x in json.load(open(sys.argv[1]))["results"]:
    n = int(x["command"])
    print(f"{n:>6} dists: {x['mean']*1000:8.2f} ms  ({x['mean']*1e6/n:.2f} us/dist)")
PY
fi
