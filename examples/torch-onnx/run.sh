#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PyTorch -> ONNX -> ONNX Runtime and TensorFlow, then `mlstack compare` on what each wrote.
# See README.md in this folder. Usage: run.sh [OUT]   (default: $TMPDIR/mlstack-torch-onnx)
#   PYTHON=...   a python with torch, onnx, onnxscript, onnxruntime, safetensors, numpy
#                (and, for the TensorFlow leg, tensorflow and onnx2tf); without it, a scratch
#                venv over the real-wheel environment of tools/real_envs (exit 77 when absent)
#   MLSTACK=...  the mlstack executable (default: mlstack on PATH, else build/dev/mlstack)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-${TMPDIR:-/tmp}/mlstack-torch-onnx}
SKIP=77
MLSTACK=${MLSTACK:-$(command -v mlstack || echo "$ROOT/build/dev/mlstack")}
[ -x "$MLSTACK" ] || { echo "torch-onnx: no mlstack executable at $MLSTACK (set MLSTACK=...)" >&2; exit 2; }
MLSTACK=$(realpath "$MLSTACK")   # the comparisons run in $OUT

if [ -z "${PYTHON:-}" ]; then
  # A scratch venv that reuses the real environment's torch, onnxruntime and tensorflow through
  # a .pth file (nothing copied) and adds onnx, onnxscript, safetensors and the converter.
  REAL=${MLSTACK_REAL_ENVS:-$HOME/.cache/mlstack/real-envs}/current/venv
  if [ ! -x "$REAL/bin/python" ]; then
    echo "torch-onnx: skipped: no $REAL (tools/real_envs/make_envs.py) and no PYTHON=..."
    exit $SKIP
  fi
  ENV=${MLSTACK_EXAMPLE_ENV:-$HOME/.cache/mlstack/torch-onnx-env}
  stamp=$(cat "$HERE/requirements.txt" "$HERE/requirements-tf.txt" <(echo "$REAL") | sha256sum | cut -c1-16)
  if [ "$(cat "$ENV/.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "torch-onnx: building $ENV over $REAL"
    rm -rf "$ENV"
    "$REAL/bin/python" -m venv "$ENV" || exit 2
    purelib='import sysconfig; print(sysconfig.get_paths()["purelib"])'
    "$REAL/bin/python" -c "$purelib" > "$("$ENV/bin/python" -c "$purelib")/_mlstack_real_env.pth"
    pip=("$ENV/bin/python" -m pip install -q --disable-pip-version-check)
    if ! "${pip[@]}" -r "$HERE/requirements.txt"; then
      rm -rf "$ENV"
      echo "torch-onnx: skipped: pip could not install $HERE/requirements.txt (offline?)"
      exit $SKIP
    fi
    "${pip[@]}" --no-deps -r "$HERE/requirements-tf.txt" ||
      echo "torch-onnx: the TensorFlow converter did not install; TensorFlow is left out"
    echo "$stamp" > "$ENV/.stamp"
  fi
  PYTHON=$ENV/bin/python
fi

tf=()
if "$PYTHON" -c 'import onnx2tf, tensorflow' >/dev/null 2>&1; then
  tf=(--tf)
else
  echo "torch-onnx: no onnx2tf or tensorflow under $PYTHON; TensorFlow is left out"
fi
rm -rf "$OUT" && mkdir -p "$OUT"
if ! "$PYTHON" "$HERE/workflow.py" "$OUT" "${tf[@]}" > "$OUT/workflow.log" 2>&1; then
  cat "$OUT/workflow.log"
  echo "torch-onnx: workflow.py failed (log above, $OUT/workflow.log)" >&2
  exit 2
fi
grep '^versions:' "$OUT/workflow.log"
cd "$OUT" || exit 2

# Each comparison: the command, the report, its exit code (0 agree, 1 differ, 2 bad input).
status=0
run() {
  echo
  echo "\$ mlstack compare $*"
  "$MLSTACK" compare "$@"
  local rc=$?
  echo "(exit $rc)"
  [ $rc -le 1 ] || status=2   # 2: a file could not be read
}
run ort/test_data_set_0 torch/outputs.safetensors
run ort/test_data_set_0 torch/outputs.safetensors --semantics torch
run ort/test_data_set_0 torch/outputs.safetensors --semantics polygraphy
run ort/logits.npy torch/logits.npy --semantics torch
if [ -f tf/outputs.npz ]; then
  run tf/outputs.npz torch/outputs.safetensors --semantics torch
  run tf/outputs.npz ort/test_data_set_0 --semantics polygraphy
  run tflite/outputs.npz torch/outputs.safetensors --semantics torch
  run tflite-fp16/outputs.npz torch/outputs.safetensors --semantics torch
fi
run torch-bf16/outputs.safetensors torch/outputs.safetensors --semantics torch
exit $status
