#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run HERE (the build machine) before a device session: puts a stripped release mlstack, the
# real-NVML smoke test and libelf into .devicekit/ (git-ignored), small enough to carry.
#
#   tools/device_check/prepare.sh
#   then, with the device tool: run(command="bash tools/device_check/run.sh", carry=[".devicekit"])
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target mlstack test_gpu_real
rm -rf .devicekit && mkdir -p .devicekit
strip -o .devicekit/mlstack build/release/mlstack
strip -o .devicekit/test_gpu_real build/release/tests/unit/gpu/test_gpu_real
# libelf is the one shared library mlstack needs beyond glibc and zlib.
cp -L "$(ldconfig -p | awk '/libelf.so.1 .*x86-64/ {print $NF; exit}')" .devicekit/libelf.so.1
git rev-parse HEAD > .devicekit/commit
du -sh .devicekit
