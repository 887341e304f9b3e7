#!/usr/bin/env bash
# Issue 11's benchmark: `mlstack compare A B` beside its numpy peer (bench/compare_numpy.py:
# numpy.allclose plus every statistic of the report) and the memory-bandwidth floor
# (bench/read_floor.cpp: one plain read pass over the same bytes, all cores), side by side in
# one hyperfine run per data set; then peak memory of one run of each, and the ratios.
# Figures go to bench/RESULTS.md by hand ("mlstack compare (issue 11)"), with this command line.
#
#   bench/compare.sh                  # the three data sets: f32 (two 1 GiB .npy), bf16 (two
#                                     # 1 GiB .safetensors), multi (1,000 f32 tensors, 256 MiB)
#   bench/compare.sh f32 multi        # some of them
#
# Rerun after a kernel change (the one-liner):
#   cmake --build build/release -j2 --target mlstack && bench/compare.sh
#
# The data are generated when missing by bench/gen_tensors.py (seeded; ~4.5 GiB in all) into
# MLSTACK_BENCH_DATA (default /dev/shm/mlstack-bench: tmpfs, i.e. RAM: `rm -r` it when done).
# MLSTACK sets the binary (default build/release/mlstack, the `release` preset); the Python
# is the tensor venv of tools/tensor_env (numpy, safetensors, ml_dtypes), made when missing.
# Results: build/bench-results/compare-SET.{json,md} (hyperfine), compare-SET.mlstack.json
# (`mlstack compare --json`, which the peer's statistics are checked against),
# compare-summary.txt (the ratios and memory lines, appended).
#
# Peer settings: OPENBLAS_NUM_THREADS=1, because on a shared machine OpenBLAS's threads spin
# against the other loads (the 1,000-tensor peer ran 4x slower with 2 threads on the 2-core
# VM); one thread is the faster peer, so the ratio is the conservative one.
set -euo pipefail
cd "$(dirname "$0")/.."
ML=${MLSTACK:-build/release/mlstack}
DATA=${MLSTACK_BENCH_DATA:-/dev/shm/mlstack-bench}
OUT=build/bench-results
FLOOR=build/read_floor
PY=$(python3 tools/tensor_env/make_env.py --path)
[ -x "$PY" ] || python3 tools/tensor_env/make_env.py >/dev/null
export OPENBLAS_NUM_THREADS=1
mkdir -p "$OUT" "$DATA"
[ -x "$ML" ] || { echo "compare.sh: no $ML (cmake --preset release && cmake --build build/release -j2 --target mlstack)" >&2; exit 2; }
if [ ! -x "$FLOOR" ] || [ bench/read_floor.cpp -nt "$FLOOR" ]; then
  g++ -O2 -march=native -std=c++20 -pthread bench/read_floor.cpp -o "$FLOOR"
fi

bench_set() {  # bench_set SET A B
  local set=$1 a=$2 b=$3
  "$PY" bench/gen_tensors.py "$DATA" "$set"
  echo "== $set: $a $b ($(du -ch "$a" "$b" | tail -1 | cut -f1)); $(free -g | awk '/^Mem/ {print $7}') GB available"
  # Peak memory of one run of each (bench/peak_anon.py: RssAnon sampled every 10 ms, and max
  # RSS as GNU time's %M), and the correctness check: the peer's statistics against
  # mlstack's JSON (this run's output).
  local mem=$OUT/compare-$set.memory
  {
    python3 bench/peak_anon.py --stdout "$OUT/compare-$set.mlstack.json" "$ML" compare "$a" "$b" --json
    python3 bench/peak_anon.py --stdout "$OUT/compare-$set.check" \
      "$PY" bench/compare_numpy.py "$a" "$b" --check "$OUT/compare-$set.mlstack.json"
    python3 bench/peak_anon.py "$FLOOR" "$a" "$b"
  } | tee "$mem"
  cat "$OUT/compare-$set.check"
  hyperfine -N --warmup 1 --min-runs 3 --ignore-failure \
    --export-markdown "$OUT/compare-$set.md" --export-json "$OUT/compare-$set.json" \
    -n "mlstack compare" "$ML compare $a $b" \
    -n "numpy peer" "$PY bench/compare_numpy.py $a $b" \
    -n "read floor" "$FLOOR $a $b"
  python3 - "$OUT/compare-$set.json" "$mem" "$set" "$a" "$b" "$OUT/compare-$set.check" \
    <<'PY' | tee -a "$OUT/compare-summary.txt"
import json, os, re, sys
results = json.load(open(sys.argv[1]))["results"]
r = {x["command"]: x["mean"] for x in results}
cpu = {x["command"]: x["user"] + x["system"] for x in results}
mem = open(sys.argv[2]).read().splitlines()
size = os.path.getsize(sys.argv[4]) + os.path.getsize(sys.argv[5])
m, n, f = r["mlstack compare"], r["numpy peer"], r["read floor"]
peaks = [tuple(int(v) / 1024 for v in re.search(r"RssAnon (\d+) KiB, max RSS (\d+)", l).groups())
         for l in mem]
gbs = lambda t: size / t / 1e9
print(f"{sys.argv[3]}: {size / 2**30:.2f} GiB read; mlstack {m:.2f} s ({gbs(m):.2f} GB/s), "
      f"numpy {n:.2f} s, read floor {f:.3f} s ({gbs(f):.2f} GB/s)")
print(f"  mlstack / read floor throughput {f / m:.3f} (target >= 0.7); "
      f"numpy / mlstack time {n / m:.2f}x (target >= 5)")
print(f"  CPU (user + system): mlstack {cpu['mlstack compare']:.2f} s, "
      f"numpy {cpu['numpy peer']:.2f} s, read floor {cpu['read floor']:.3f} s")
print(f"  check: {open(sys.argv[6]).read().splitlines()[-1]}")
for (a, x), who in zip(peaks, ["mlstack", "numpy peer", "read floor"]):
    print(f"  peak {who}: RssAnon {a:.1f} MiB, max RSS {x:.1f} MiB"
          + (" (target: RssAnon <= 64 MiB)" if who == "mlstack" else ""))
PY
}

sets=("$@")
[ $# -gt 0 ] || sets=(f32 bf16 multi)
for s in "${sets[@]}"; do
  case $s in
    f32) bench_set f32 "$DATA/f32-a.npy" "$DATA/f32-b.npy" ;;
    bf16) bench_set bf16 "$DATA/bf16-a.safetensors" "$DATA/bf16-b.safetensors" ;;
    multi) bench_set multi "$DATA/multi-a.safetensors" "$DATA/multi-b.safetensors" ;;
    *) echo "compare.sh: unknown data set $s (f32, bf16, multi)" >&2; exit 2 ;;
  esac
done
