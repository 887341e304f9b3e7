#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generates the data sets of bench/compare.sh (issue 11), seeded, in chunks of 16 Mi
elements so that the generator itself needs well under 1 GiB.

Run under the tensor venv (tools/tensor_env/make_env.py: numpy, safetensors, ml_dtypes):

    gen_tensors.py DIR [f32|bf16|multi ...]   (all three by default; existing files are kept)

- f32:   f32-a.npy, f32-b.npy: float32 (16384, 16384), 268,435,456 elements, 1 GiB each;
- bf16:  bf16-a.safetensors, bf16-b.safetensors: one bfloat16 tensor (16384, 32768),
         536,870,912 elements, 1 GiB each;
- multi: multi-a.safetensors, multi-b.safetensors: 1,000 float32 tensors of mixed shapes
         (1-d to 4-d), ~256 MiB each.

B is A plus realistic noise: most elements within numpy's default tolerance (rtol 1e-5,
atol 1e-8), some exactly equal, ~0.1 % (f32) out of tolerance, a few NaN and ±Inf on either
side. The big safetensors file is written by hand (8-byte little-endian header length, the
JSON header padded with spaces to 8 bytes as safetensors pads it, the raw bytes), chunk by
chunk: safetensors.numpy.save_file needs the whole array in memory. Each file is written to
NAME.tmp and renamed, so an interrupted run leaves no half file behind.
"""
import json
import os
import pathlib
import struct
import sys

import ml_dtypes
import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

CHUNK = 1 << 24  # elements per step
SEED = 20261207


def noisy(rng, a, rel_sigma, specials):
    """B for a chunk A (float32): relative noise on half the elements, NaN/Inf sprinkled."""
    b = a.copy()
    touched = rng.random(a.size, dtype=np.float32) < 0.5
    b[touched] += a[touched] * rng.normal(0, rel_sigma, touched.sum()).astype(np.float32)
    # A few non-finite values on either side, and a few large errors (outliers).
    for target, value in ((a, np.nan), (b, np.nan), (a, np.inf), (b, -np.inf), (b, np.inf)):
        target[rng.integers(0, a.size, specials)] = value
    idx = rng.integers(0, a.size, specials)
    b[idx] = a[idx] + rng.normal(0, 1, specials).astype(np.float32)
    return b


def atomic(path, write):
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def gen_f32(out, rng):
    shape = (16384, 16384)
    n = shape[0] * shape[1]
    pa, pb = out / "f32-a.npy", out / "f32-b.npy"
    if pa.exists() and pb.exists():
        return
    ta, tb = pa.with_name(pa.name + ".tmp"), pb.with_name(pb.name + ".tmp")
    a_map = np.lib.format.open_memmap(ta, mode="w+", dtype=np.float32, shape=shape)
    b_map = np.lib.format.open_memmap(tb, mode="w+", dtype=np.float32, shape=shape)
    fa, fb = a_map.reshape(-1), b_map.reshape(-1)
    for first in range(0, n, CHUNK):
        a = rng.standard_normal(min(CHUNK, n - first), dtype=np.float32)
        b = noisy(rng, a, 3e-6, 8)
        fa[first:first + a.size] = a
        fb[first:first + a.size] = b
    a_map.flush()
    b_map.flush()
    del a_map, b_map, fa, fb
    os.replace(ta, pa)
    os.replace(tb, pb)


def header_bytes(tensors):
    """The safetensors header: JSON, padded with spaces to a multiple of 8, after its length."""
    text = json.dumps(tensors, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text


def gen_bf16(out, rng):
    shape = [16384, 32768]
    n = shape[0] * shape[1]
    pa, pb = out / "bf16-a.safetensors", out / "bf16-b.safetensors"
    if pa.exists() and pb.exists():
        return
    head = header_bytes({"__metadata__": {"format": "np"},
                         "t": {"dtype": "BF16", "shape": shape, "data_offsets": [0, 2 * n]}})
    ta, tb = pa.with_name(pa.name + ".tmp"), pb.with_name(pb.name + ".tmp")
    with open(ta, "wb") as fa, open(tb, "wb") as fb:
        fa.write(head)
        fb.write(head)
        for first in range(0, n, CHUNK):
            a = rng.standard_normal(min(CHUNK, n - first), dtype=np.float32)
            # bfloat16 has 8 significant bits: noise of ~1e-3 rounds away on most elements
            # and moves the others by an ulp or two, as a bf16 model against its f32 export.
            b = noisy(rng, a, 2e-3, 8)
            fa.write(a.astype(ml_dtypes.bfloat16).tobytes())
            fb.write(b.astype(ml_dtypes.bfloat16).tobytes())
    for t in (ta, tb):  # safetensors itself must accept what was written by hand
        with safe_open(t, framework="np") as f:
            assert list(f.keys()) == ["t"], t
    os.replace(ta, pa)
    os.replace(tb, pb)


def gen_multi(out, rng):
    pa, pb = out / "multi-a.safetensors", out / "multi-b.safetensors"
    if pa.exists() and pb.exists():
        return
    # 1,000 sizes around 64 Ki elements (lognormal), scaled to 64 Mi elements in all (256 MiB).
    sizes = rng.lognormal(0, 1.2, 1000)
    sizes = np.maximum(1, (sizes / sizes.sum() * (1 << 26)).astype(np.int64))
    a_tensors, b_tensors = {}, {}
    for i, size in enumerate(sizes):
        ndim = int(rng.integers(1, 5))
        shape = [int(size)] if ndim == 1 else None
        if shape is None:  # split `size` into ndim factors, the last one taking the rest
            shape = []
            rest = int(size)
            for _ in range(ndim - 1):
                d = int(rng.integers(1, 17))
                shape.append(d)
                rest = max(1, rest // d)
            shape.append(rest)
        a = rng.standard_normal(int(np.prod(shape)), dtype=np.float32)
        # Most tensors agree (noise well inside rtol 1e-5), every tenth one does not.
        b = noisy(rng, a, 3e-6, 1) if i % 10 == 0 else noisy(rng, a, 1e-7, 0)
        name = f"layers.{i // 4}.{('q', 'k', 'v', 'o')[i % 4]}.weight"
        a_tensors[name] = a.reshape(shape)
        b_tensors[name] = b.reshape(shape)
    atomic(pa, lambda p: save_file(a_tensors, p))
    atomic(pb, lambda p: save_file(b_tensors, p))


def main():
    out = pathlib.Path(sys.argv[1])
    which = sys.argv[2:] or ["f32", "bf16", "multi"]
    out.mkdir(parents=True, exist_ok=True)
    makers = {"f32": gen_f32, "bf16": gen_bf16, "multi": gen_multi}
    for name in which:
        makers[name](out, np.random.default_rng([SEED, list(makers).index(name)]))


if __name__ == "__main__":
    main()
