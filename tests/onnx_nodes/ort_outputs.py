#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs ONNX Runtime on the ONNX project's own node tests and writes what it computes.

Run by the `onnx_nodes.ort_outputs` test (a ctest fixture): builds (or reuses) the scratch venv
of tools/tensor_env/make_env.py (numpy, onnx, onnxruntime CPU wheel), then re-runs itself under
that venv's python. For every node test of Debian's libonnx-testdata
(`/usr/share/libonnx-testdata/data/node/test_*/model.onnx` and `test_data_set_0/{input,output}_K.pb`,
inputs and expected outputs written by the ONNX project's reference implementation), it loads
the model with the CPU execution provider, feeds it the inputs and writes ORT's outputs as an
ONNX test data set, `--out/<test>/output_K.pb` (`onnx.numpy_helper.from_array`, named as the
graph's outputs, as the expected files are). A test is skipped, with its reason, when:
  - an input or output of the graph is not a tensor (sequence, optional, map) or is a string,
    complex or other type mlstack's readers do not take;
  - ORT cannot load the model (an operator, opset or type it does not implement) or run it;
  - ORT returns something that is not a numpy array of a readable dtype.
`--out/manifest.json` lists every test: {"name", "status": "run" | "skipped", "reason"}.
Without the venv or the test data it writes a manifest saying so and the check skips.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
NODE_TESTS = pathlib.Path(os.environ.get("MLSTACK_ONNX_NODE_TESTS",
                                         "/usr/share/libonnx-testdata/data/node"))


def outer(out: pathlib.Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "manifest.json"
    if manifest.exists():
        manifest.unlink()
    if not NODE_TESTS.is_dir():
        manifest.write_text(json.dumps({"unavailable": f"no {NODE_TESTS} (libonnx-testdata)"}))
        print(f"onnx_nodes: no {NODE_TESTS} (Debian's libonnx-testdata); the check will skip")
        return 0
    try:
        python = subprocess.run([sys.executable, str(ROOT / "tools/tensor_env/make_env.py")],
                                check=True, capture_output=True, text=True).stdout.strip()
    except (subprocess.CalledProcessError, OSError) as e:
        manifest.write_text(json.dumps({"unavailable": f"no tensor venv ({e})"}))
        print(f"onnx_nodes: no tensor venv ({e}); the check will skip")
        return 0
    return subprocess.run([python, __file__, "--out", str(out), "--inner"]).returncode


def inner(out: pathlib.Path) -> int:
    import numpy as np
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    T = onnx.TensorProto
    readable = {T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16, T.INT8, T.INT16, T.INT32, T.INT64,
                T.UINT8, T.UINT16, T.UINT32, T.UINT64, T.BOOL}

    def kind_of(value_info) -> str | None:
        """None for a tensor of a type the readers take, else why not."""
        t = value_info.type
        which = t.WhichOneof("value")
        if which != "tensor_type":
            return f"{which.replace('_type', '')} {value_info.name!r}"
        elem = t.tensor_type.elem_type
        if elem not in readable:
            return f"{T.DataType.Name(elem).lower()} tensor {value_info.name!r}"
        return None

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.log_severity_level = 4
    entries = []
    for test in sorted(NODE_TESTS.iterdir()):
        data = test / "test_data_set_0"
        if not (test / "model.onnx").is_file() or not data.is_dir():
            continue
        entry = {"name": test.name}
        entries.append(entry)

        def skip(reason):
            entry.update(status="skipped", reason=reason)

        model = onnx.load(str(test / "model.onnx"))
        graph = model.graph
        initializers = {i.name for i in graph.initializer}
        inputs = [i for i in graph.input if i.name not in initializers]
        bad = [k for k in map(kind_of, list(inputs) + list(graph.output)) if k]
        if bad:
            skip("not a readable tensor: " + bad[0])
            continue
        feeds = {}
        for k, vi in enumerate(inputs):
            f = data / f"input_{k}.pb"
            if not f.is_file():
                break
            feeds[vi.name] = numpy_helper.to_array(onnx.load_tensor(str(f)))
        try:
            session = ort.InferenceSession(str(test / "model.onnx"), so,
                                           providers=["CPUExecutionProvider"])
        except Exception as e:  # ORT raises its own exception types for each failure
            skip("ORT cannot load it: " + first_line(e))
            continue
        try:
            results = session.run(None, feeds)
        except Exception as e:
            skip("ORT cannot run it: " + first_line(e))
            continue
        if not all(isinstance(r, np.ndarray) for r in results):
            skip("ORT returned a non-tensor output")
            continue
        dest = out / test.name
        dest.mkdir(parents=True, exist_ok=True)
        for k, (vi, r) in enumerate(zip(graph.output, results)):
            proto = numpy_helper.from_array(r, vi.name)
            (dest / f"output_{k}.pb").write_bytes(proto.SerializeToString())
        entry["status"] = "run"

    (out / "manifest.json").write_text(json.dumps(
        {"onnxruntime": ort.__version__, "onnx": onnx.__version__, "numpy": np.__version__,
         "node_tests": str(NODE_TESTS), "tests": entries}, indent=1))
    ran = sum(e["status"] == "run" for e in entries)
    print(f"onnx_nodes: ORT {ort.__version__} ran {ran} of {len(entries)} node tests "
          f"({len(entries) - ran} skipped)")
    return 0


def first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return (text[0] if text else type(e).__name__)[:600]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=pathlib.Path, required=True)
    ap.add_argument("--inner", action="store_true")
    args = ap.parse_args()
    return inner(args.out) if args.inner else outer(args.out)


if __name__ == "__main__":
    sys.exit(main())
