#!/usr/bin/env bash
# Whole-process benchmarks: mlstack check/doctor vs `pip check` (pinned newest pip) and
# `uv pip check`, side by side in one hyperfine run per environment. Ratios go to
# bench/RESULTS.md by hand, with this command line.
#
#   bench/run.sh                 # generated 5,000-distribution env + the real env if present
#   MLSTACK_BENCH_REAL=/path/venv bench/run.sh   # + doctor vs torch.utils.collect_env if torch is there
#   MLSTACK_BENCH_SCALING=1 bench/run.sh   # also 500 / 5,000 / 50,000 beside uv and pip, with peak RSS
#   MLSTACK_BENCH_DOCTOR=1 bench/run.sh    # + issue 8's static doctor target: the ~200-dist
#       environment of bench/make_doctor_env.sh (made when missing, from MLSTACK_BENCH_REAL or
#       ~/.cache/mlstack/real-envs/current/venv; MLSTACK_BENCH_DOCTOR_ENV sets where), doctor
#       with a warm and a cold file-facts cache, and beside torch's collect_env
#   MLSTACK_BENCH_IMAGE=1 bench/run.sh     # + issue 9's `mlstack image` target: writing the build
#       context of a 3-variant, 46-package locked stack (tests/image/seed-full.lock), without
#       and with the mlstack bundle (copying the binary and its libraries)
#   MLSTACK_BENCH_PLAN=1 bench/run.sh      # + issue 9's `mlstack plan` target: its own time on the
#       seed (--no-resolve) against `uv pip compile` of the seed's full variant (needs PyPI;
#       torch==1.12.1 from PyPI stands in for +cu113, PyTorch's index being unreachable here)
set -euo pipefail
cd "$(dirname "$0")/.."
ML=${MLSTACK:-build/release/mlstack}
REF=build/refvenv
PIPREQ=$(grep '^pip==' tools/requirements-ref.txt)
ENVS=${MLSTACK_BENCH_ENVS:-build/bench-envs}  # generated environments (cached)
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
if [ -n "${MLSTACK_BENCH_DOCTOR:-}" ]; then
  denv=${MLSTACK_BENCH_DOCTOR_ENV:-/work/benchenvs/doctor200}
  [ -x "$denv/bin/python" ] ||
    bench/make_doctor_env.sh "${MLSTACK_BENCH_REAL:-$HOME/.cache/mlstack/real-envs/current/venv}" \
      "$denv"
  py=$denv/bin/python
  files="${XDG_CACHE_HOME:-$HOME/.cache}/mlstack/files-*.bin"
  "$ML" doctor --python "$py" --color never >/dev/null || true   # warm both caches
  # Cold: the file-facts cache removed before each run (the interpreter's cache stays), as a
  # first doctor after an install or upgrade; the run writes it again.
  hyperfine -N --warmup 3 --min-runs 20 --ignore-failure --export-json "$OUT/doctor200.json" \
    -p true -n "mlstack doctor" "$ML doctor --python $py --color never" \
    -p "sh -c 'rm -f $files'" -n "mlstack doctor, cold file cache" \
      "$ML doctor --python $py --color never"
  hyperfine -N --warmup 1 --runs 5 --ignore-failure \
    --export-json "$OUT/doctor200-collect_env.json" \
    -n "mlstack doctor" "$ML doctor --python $py --color never" \
    -n "torch collect_env" "$py -m torch.utils.collect_env"
  python3 - "$OUT/doctor200.json" "$OUT/doctor200-collect_env.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
c = {x["command"]: x["mean"] for x in json.load(open(sys.argv[2]))["results"]}
w, cold = r["mlstack doctor"], r["mlstack doctor, cold file cache"]
print(f"doctor200: doctor {w*1000:.1f} ms (target 20 ms), cold file cache {cold*1000:.1f} ms "
      f"({cold/w:.1f}x); collect_env/doctor {c['torch collect_env']/c['mlstack doctor']:.0f}x")
PY
fi
if [ -n "${MLSTACK_BENCH_SCALING:-}" ]; then
  # 500 / 5,000 / 50,000 generated distributions (no pip inside: the reference pip runs
  # them with `--python`, which starts the target interpreter once more, ~20 ms).
  for n in 500 5000 50000; do
    gen "scale$n" "$n"
    py=$ENVS/scale$n/bin/python
    "$ML" check --python "$py" >/dev/null || true
    runs=10; [ "$n" = 50000 ] && runs=3
    hyperfine -N --warmup 1 --runs $runs --ignore-failure --export-json "$OUT/scale$n.json" \
      -n "mlstack check" "$ML check --python $py" \
      -n "uv pip check" "$REF/bin/uv pip check --python $py" \
      -n "pip check" "$REF/bin/python -m pip --python $py check"
    python3 - "$OUT/scale$n.json" "$n" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
m = r["mlstack check"]
print(f"{int(sys.argv[2]):>6} dists: mlstack {m*1000:8.1f} ms, pip/mlstack {r['pip check']/m:.0f}x, "
      f"uv/mlstack {r['uv pip check']/m:.1f}x")
PY
    # Peak resident memory (GNU time's %M, KiB), best of three.
    for cmd in "$ML check --python $py" "$REF/bin/uv pip check --python $py"; do
      peak=$(for _ in 1 2 3; do /usr/bin/time -f %M $cmd 2>&1 >/dev/null | tail -1; done | sort -n | head -1)
      echo "        peak RSS ${peak} KiB: ${cmd%% *}"
    done
  done
fi
if [ -n "${MLSTACK_BENCH_IMAGE:-}" ]; then
  ctx=$OUT/image-ctx
  lock=tests/image/seed-full.lock
  args="image -o $ctx --base localhost/debian-bullseye --python-version 3.9 --shared tests/image/seed-shared.txt --variant tf=$lock --variant torch=$lock --variant full=$lock"
  hyperfine -N --warmup 3 --min-runs 20 --export-json "$OUT/image.json" \
    -n "mlstack image --no-bundle" "$ML $args --no-bundle" \
    -n "mlstack image" "$ML $args"
  python3 - "$OUT/image.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"image: files {r['mlstack image --no-bundle']*1000:.1f} ms (target 20 ms), "
      f"with the bundle {r['mlstack image']*1000:.1f} ms")
PY
fi

if [ -n "${MLSTACK_BENCH_PLAN:-}" ]; then
  seed=examples/tf29-torch112/mlstack.toml
  req=$OUT/plan-full.in
  "$ML" plan "$seed" --json --no-resolve | python3 -c '
import json, sys
plan = json.load(sys.stdin)
full = next(v for v in plan["variants"] if v["name"] == "full")
for r in full["requirements"]:
    print(r["requirement"].split("+")[0])' > "$req"
  hyperfine -N --warmup 3 --min-runs 20 --export-json "$OUT/plan.json" \
    -n "mlstack plan" "$ML plan $seed --no-resolve"
  hyperfine -N --warmup 1 --runs 3 --export-json "$OUT/plan-uv.json" \
    -n "uv pip compile" "$REF/bin/uv pip compile $req --python-version 3.9 --python-platform x86_64-manylinux_2_17 -q -o $OUT/plan-full.txt"
  python3 - "$OUT/plan.json" "$OUT/plan-uv.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["results"][0]["mean"]
u = json.load(open(sys.argv[2]))["results"][0]["mean"]
print(f"plan: {p*1000:.1f} ms, uv pip compile {u:.2f} s: {100*p/u:.2f} % (target <= 10 %)")
PY
fi
