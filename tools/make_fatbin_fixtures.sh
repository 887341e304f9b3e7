#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the ELF fixtures of tests/unit/elf with nvcc, and records what cuobjdump lists for
# each (the reference the fatbin reader is checked against):
#   tests/data/elf/<name>.so|.o        a few KB each (no cudart: -cudart none, stripped)
#   tests/data/elf/<name>.cuobjdump    `cuobjdump --list-elf` then `--list-ptx` output
# Needs nvcc (CUDA 13: /usr/local/cuda/bin) and cuobjdump 13.x (PyPI `nvidia-cuda-cuobjdump`;
# set CUOBJDUMP). Run it when nvcc's fatbin layout changes; commit the results.
set -euo pipefail
cd "$(dirname "$0")/.."
NVCC=${NVCC:-/usr/local/cuda/bin/nvcc}
CUOBJDUMP=${CUOBJDUMP:-cuobjdump}
OUT=tests/data/elf
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
cat > "$TMP/k.cu" <<'CU'
__global__ void twice(float* x) { x[threadIdx.x] *= 2.0f; }
void launch_twice(float* x) { twice<<<1, 32>>>(x); }
CU
cat > "$TMP/k2.cu" <<'CU'
__global__ void add(float* x, float y) { x[threadIdx.x] += y; }
void launch_add(float* x) { add<<<1, 32>>>(x, 1.0f); }
CU
so() {  # so NAME SOURCES... -- NVCC-FLAGS...
  local name=$1; shift
  local sources=()
  while [[ $1 != -- ]]; do sources+=("$TMP/$1"); shift; done
  shift
  "$NVCC" -shared -Xcompiler -fPIC -cudart none -o "$TMP/$name" "${sources[@]}" "$@"
  strip --strip-debug -o "$OUT/$name" "$TMP/$name"
}
so sass_ptx.so k.cu -- -gencode arch=compute_75,code=sm_75 -gencode arch=compute_90,code=compute_90
so arch_specific.so k.cu -- -gencode arch=compute_90a,code=sm_90a -gencode arch=compute_90a,code=compute_90a
so family.so k.cu -- -gencode arch=compute_100f,code=sm_100f -gencode arch=compute_100f,code=compute_100f
so mixed_120.so k.cu -- -gencode arch=compute_120a,code=sm_120a -gencode arch=compute_120,code=sm_120
so compressed.so k.cu -- -gencode arch=compute_80,code=sm_80 -Xfatbin -compress-all
so two_fatbins.so k.cu k2.cu -- -gencode arch=compute_75,code=sm_75 -gencode arch=compute_86,code=sm_86 \
  -gencode arch=compute_86,code=compute_86
"$NVCC" -c -rdc=true -o "$OUT/relocatable.o" "$TMP/k.cu" -gencode arch=compute_80,code=sm_80
printf 'int host_only(void) { return 0; }\n' > "$TMP/h.c"
cc -shared -fPIC -o "$OUT/host_only.so" "$TMP/h.c"
for f in "$OUT"/*.so "$OUT"/*.o; do
  base=${f%.*}
  { "$CUOBJDUMP" --list-elf "$f" 2>&1 || true; "$CUOBJDUMP" --list-ptx "$f" 2>&1 || true; } \
    | grep -E '^(ELF|PTX) file' > "$base.cuobjdump" || true
done
ls -la "$OUT"
