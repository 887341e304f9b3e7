#!/usr/bin/env bash
# Issue 10's probe target: `doctor --probe` wall time against the slowest single framework
# import it runs (target <= 1.3x), on a real environment with torch, TensorFlow, JAX, ONNX
# Runtime and CuPy. Also: the probes' total CPU, and the slowest probe (a pair) run on its own,
# which is what `doctor --probe` would take with as many cores as probes.
#
#   bench/probe.sh     # MLSTACK (default build/release/mlstack), MLSTACK_BENCH_REAL (default
#                      # ~/.cache/mlstack/real-envs/current/venv), MLSTACK_BENCH_RUNS (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
ML=$(realpath "${MLSTACK:-build/release/mlstack}")
VENV=${MLSTACK_BENCH_REAL:-$HOME/.cache/mlstack/real-envs/current/venv}
PY=$VENV/bin/python
RUNS=${MLSTACK_BENCH_RUNS:-3}
mkdir -p build/bench-results
OUT=$(realpath build/bench-results)
cd /tmp  # no module of the working directory in the way of `python -c`

args=()
for m in torch tensorflow jax onnxruntime cupy; do
  if "$PY" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('$m') is None)"; then
    args+=(-n "import $m" "$PY -B -c 'import $m'")
  fi
done
# The slowest pair, torch then TensorFlow, on its own (both there only).
args+=(-n "import torch, tensorflow" "$PY -B -c 'import torch; import tensorflow'")
hyperfine -N --warmup 1 --runs "$RUNS" --ignore-failure --export-json "$OUT/probe-imports.json" \
  "${args[@]}"
"$ML" doctor --python "$PY" --no-gpu >/dev/null || true  # warm the interpreter and file caches
hyperfine -N --runs "$RUNS" --ignore-failure --export-json "$OUT/probe-doctor.json" \
  -n "mlstack doctor" "$ML doctor --python $PY --no-gpu --json" \
  -n "mlstack doctor --probe" "$ML doctor --python $PY --no-gpu --json --probe"
"$ML" doctor --python "$PY" --no-gpu --json --probe > "$OUT/probe-report.json" || true

python3 - "$OUT" "$(nproc)" <<'PY'
import json, sys
out, cores = sys.argv[1], int(sys.argv[2])
imports = {r["command"]: r for r in json.load(open(f"{out}/probe-imports.json"))["results"]}
doctor = {r["command"]: r for r in json.load(open(f"{out}/probe-doctor.json"))["results"]}
single = {k: v for k, v in imports.items() if "," not in k}
slow_name, slow = max(single.items(), key=lambda kv: kv[1]["mean"])
pair = imports["import torch, tensorflow"]
probe = doctor["mlstack doctor --probe"]
static = doctor["mlstack doctor"]
probes = json.load(open(f"{out}/probe-report.json"))["probes"]
slowest_probe = max(probes["results"], key=lambda r: r["cpu_s"])
cpu = lambda r: r["user"] + r["system"]
print(f"{cores} cores; {len(probes['results'])} probes, {probes['jobs']} at once")
for k, v in imports.items():
    print(f"  {k:28} wall {v['mean']:6.2f} s  cpu {cpu(v):6.2f} s")
print(f"  static doctor              wall {static['mean']:6.2f} s")
print(f"  doctor --probe             wall {probe['mean']:6.2f} s  cpu {cpu(probe):6.2f} s "
      f"(probes' own: {probes['cpu_s']:.1f} s)")
print(f"slowest single import: {slow_name}, {slow['mean']:.2f} s")
print(f"ratio here: doctor --probe / slowest import = {probe['mean'] / slow['mean']:.1f}x")
print(f"with enough cores (one per probe), doctor --probe ~ static doctor + the slowest probe "
      f"({'->'.join(slowest_probe['order'])}; measured alone: torch+tensorflow "
      f"{pair['mean']:.2f} s): ratio ~ {(static['mean'] + pair['mean']) / slow['mean']:.2f}x")
print(f"CPU bound: doctor --probe's CPU / {cores} cores / the slowest import's CPU = "
      f"{cpu(probe) / cores / cpu(slow):.1f}x at best on {cores} idle cores; by CPU, the slowest "
      f"pair / the slowest import = {cpu(pair) / cpu(slow):.2f}x")
PY
