#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run ON THE GPU MACHINE (device tool, carry .devicekit from prepare.sh). Everything it
# learns lands in $OUT; compare.py prints doctor's view beside nvidia-smi's and the
# frameworks' own, field by field. About two minutes; nothing is installed or written outside
# $OUT and /tmp. Eight files come back (the device tool returns at most eight).
set -uo pipefail
cd "$(dirname "$0")/../.."
KIT=$PWD/.devicekit
OUT=${OUT:-/tmp/device-check}
mkdir -p "$OUT"
export LD_LIBRARY_PATH=$KIT${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
PY=${PY:-$(command -v python3)}
echo "commit $(cat "$KIT/commit" 2>/dev/null)  python $PY" | tee "$OUT/summary.txt"
{
  nvidia-smi
  nvidia-smi -L
  nvidia-smi --query-gpu=index,name,uuid,pci.bus_id,memory.total,compute_cap,mig.mode.current,driver_version --format=csv
} > "$OUT/nvidia-smi.txt" 2>&1
nvidia-smi -q -x > "$OUT/nvidia-smi.xml" 2>&1
"$KIT/test_gpu_real" >> "$OUT/summary.txt" 2>&1; echo "test_gpu_real exit $?" | tee -a "$OUT/summary.txt"
MLSTACK_NO_CACHE=1 "$KIT/mlstack" doctor --python "$PY" --json > "$OUT/doctor.json" 2>> "$OUT/summary.txt"
echo "doctor --json exit $?" | tee -a "$OUT/summary.txt"
MLSTACK_NO_CACHE=1 "$KIT/mlstack" doctor --python "$PY" --color never > "$OUT/doctor.txt" 2>&1
echo "doctor exit $?" | tee -a "$OUT/summary.txt"
# Each framework in its own process: what it reports about itself, and which CUDA libraries
# the process really mapped after touching the GPU.
for fw in torch jax cupy onnxruntime; do
  timeout 240 "$PY" tools/device_check/probe_framework.py "$fw" >> "$OUT/frameworks.json" 2>> "$OUT/summary.txt"
  echo "probe $fw exit $?" | tee -a "$OUT/summary.txt"
done
# Issue 10: the import probes with the GPU listed (torch, JAX, CuPy, ... alone and in both
# orders; docs/probe.md). Their PROBE-* findings compare what they mapped with the prediction.
MLSTACK_NO_CACHE=1 "$KIT/mlstack" doctor --python "$PY" --probe --probe-gpu --probe-timeout 240 \
  --json > "$OUT/doctor-probe.json" 2>> "$OUT/summary.txt"
echo "doctor --probe exit $?" | tee -a "$OUT/summary.txt"
"$PY" tools/device_check/compare.py "$OUT" | tee "$OUT/compare.txt"
