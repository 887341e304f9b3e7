#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the input files of the compare-* golden cases (committed; rerun to regenerate)
with the real writers, under the scratch venv of tools/tensor_env:
  tools/tensor_env/make_env.py && ~/.cache/mlstack/tensor-env/bin/python tests/cli/make_compare_fixtures.py
"""
import pathlib

import ml_dtypes
import numpy as np
import onnx
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

    # ONNX test data sets with sequence and optional outputs (the model says which): one of
    # the ONNX project's own (Debian's libonnx-testdata) against itself, and two made here
    # where an optional is absent on one side and a sequence is one element longer.
    from onnx import helper
    import shutil
    node = pathlib.Path("/usr/share/libonnx-testdata/data/node/test_loop13_seq")
    d = HERE / "compare-onnx-sequence" / "fs"
    if node.is_dir():
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        shutil.copy(node / "model.onnx", d / "model.onnx")
        shutil.copytree(node / "test_data_set_0", d / "test_data_set_0")
    F = onnx.TensorProto.FLOAT
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["opt"]), helper.make_node("Identity", ["s"], ["seq"])],
        "g", [helper.make_tensor_value_info("x", F, [2])],
        [helper.make_value_info("opt", helper.make_optional_type_proto(
            helper.make_tensor_type_proto(F, [2]))),
         helper.make_tensor_sequence_value_info("seq", F, None)])
    model = helper.make_model(graph).SerializeToString()
    O, S = onnx.OptionalProto, onnx.SequenceProto
    for side, present, n in [("ort", False, 3), ("ref", True, 2)]:
        d = HERE / "compare-onnx-optional" / "fs" / side
        (d / "test_data_set_0").mkdir(parents=True, exist_ok=True)
        (d / "model.onnx").write_bytes(model)
        opt = (helper.make_optional("opt", O.TENSOR,
                                    numpy_helper.from_array(logits[0, :2].copy()))
               if present else helper.make_optional("opt", O.UNDEFINED, None))
        seq = helper.make_sequence("seq", S.TENSOR,
                                   [numpy_helper.from_array(logits[i]) for i in range(2)]
                                   + [numpy_helper.from_array(logits[0])] * (n - 2))
        (d / "test_data_set_0" / "output_0.pb").write_bytes(opt.SerializeToString())
        (d / "test_data_set_0" / "output_1.pb").write_bytes(seq.SerializeToString())


if __name__ == "__main__":
    main()
