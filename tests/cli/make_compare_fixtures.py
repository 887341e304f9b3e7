#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the input files of the compare-* golden cases (committed; rerun to regenerate)
with the real writers, under the scratch venv of tools/tensor_env:
  tools/tensor_env/make_env.py && ~/.cache/mlstack/tensor-env/bin/python tests/cli/make_compare_fixtures.py
"""
import pathlib

import ml_dtypes
import numpy as np
from onnx import numpy_helper
from safetensors.numpy import save_file

HERE = pathlib.Path(__file__).resolve().parent


def main() -> None:
    rng = np.random.default_rng(7)
    logits = rng.standard_normal((2, 4)).astype(np.float32)
    close = (logits * np.float32(1 + 2e-6)).astype(np.float32)

    d = HERE / "compare-agree" / "fs"
    d.mkdir(parents=True, exist_ok=True)
    np.save(d / "torch_out.npy", logits)
    np.save(d / "onnx_out.npy", close)

    d = HERE / "compare-differ" / "fs"
    d.mkdir(parents=True, exist_ok=True)
    bad = logits.copy()
    bad[1, 2] += 0.25
    bad[0, 3] = np.nan
    probs = np.array([0.1, 0.2, np.inf, 0.7], dtype=np.float32)
    np.savez_compressed(d / "ort.npz", logits=bad, probs=probs,
                        ids=np.array([3, 1, 2], dtype=np.int64))
    save_file({"logits": logits, "probs": np.array([0.1, 0.2, 0.3, 0.7], dtype=np.float32),
               "ids": np.array([[3, 1, 2]], dtype=np.int64),
               "extra": np.zeros(2, dtype=ml_dtypes.bfloat16)}, str(d / "torch.safetensors"))
    (HERE / "compare-differ-json" / "fs").mkdir(parents=True, exist_ok=True)

    d = HERE / "compare-bad-input" / "fs"
    d.mkdir(parents=True, exist_ok=True)
    np.save(d / "ok.npy", logits)
    (d / "truncated.npy").write_bytes((d / "ok.npy").read_bytes()[:-5])

    d = HERE / "compare-map-torch" / "fs"
    d.mkdir(parents=True, exist_ok=True)
    half = logits.astype(np.float16)
    (d / "output_0.pb").write_bytes(numpy_helper.from_array(half, "y").SerializeToString())
    np.savez(d / "torch.npz", out=(half.astype(np.float32) * np.float32(1.0005)).astype(np.float16))

    # Per-tensor tolerances: logits 0.5% off (passes only its own --rtol), probs 1e-7 off
    # (fails only its own --atol with the default rtol of 0).
    d = HERE / "compare-overrides" / "fs"
    d.mkdir(parents=True, exist_ok=True)
    probs = np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float32)
    np.savez(d / "ort.npz", logits=(logits * np.float32(1.005)).astype(np.float32),
             probs=(probs + np.float32(1e-7)).astype(np.float32))
    np.savez(d / "torch.npz", logits=logits, probs=probs)
    d = HERE / "compare-override-unknown" / "fs"
    d.mkdir(parents=True, exist_ok=True)
    (d / "output_0.pb").write_bytes(numpy_helper.from_array(logits, "y").SerializeToString())
    np.savez(d / "torch.npz", out=logits)


if __name__ == "__main__":
    main()
