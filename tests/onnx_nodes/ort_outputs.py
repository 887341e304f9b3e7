#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs ONNX Runtime on the ONNX project's own node tests and writes what it computes.

Run by the `onnx_nodes.ort_outputs` test (a ctest fixture): builds (or reuses) the scratch venv
of tools/tensor_env/make_env.py (numpy, onnx, onnxruntime CPU wheel), then re-runs itself under
that venv's python. For every node test of Debian's libonnx-testdata
(`/usr/share/libonnx-testdata/data/node/test_*/model.onnx` and `test_data_set_0/{input,output}_K.pb`,
inputs and expected outputs written by the ONNX project's reference implementation), it loads
the model with the CPU execution provider, feeds it the inputs (tensors, sequences and
optionals, loaded as onnx's test runner loads them) and writes ORT's outputs as the node test's
folder is laid out: `--out/<test>/test_data_set_0/output_K.pb` (`onnx.numpy_helper.from_array`,
`from_list`, `from_optional` as the graph output's type says, named as the graph's outputs, as
the expected files are) beside `--out/<test>/model.onnx`, a link to the node test's model,
which types the files for mlstack's readers. A test is skipped, with its reason, when:
  - an input or output of the graph is (or holds) a map, a string, complex or other type
    mlstack's readers do not take;
  - ORT cannot load the model (an operator, opset or type it does not implement) or run it;
  - ORT's output cannot be written as the graph's output type.
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

    def unsupported(t, name: str) -> str | None:
        """None for a type the readers take (numeric tensors, sequences and optionals of
        them), else why not."""
        which = t.WhichOneof("value")
        if which == "tensor_type":
            elem = t.tensor_type.elem_type
            if elem not in readable:
                return f"{T.DataType.Name(elem).lower()} tensor {name!r}"
            return None
        if which == "sequence_type":
            return unsupported(t.sequence_type.elem_type, name)
        if which == "optional_type":
            return unsupported(t.optional_type.elem_type, name)
        return f"{which.replace('_type', '')} {name!r}"

    def kind_of(value_info) -> str | None:
        return unsupported(value_info.type, value_info.name)

    def load_value(path: pathlib.Path, t):
        """An input as onnx's test runner loads it: tensor, list, or optional value."""
        which = t.WhichOneof("value")
        data = path.read_bytes()
        if which == "sequence_type":
            proto = onnx.SequenceProto()
            proto.ParseFromString(data)
            return numpy_helper.to_list(proto)
        if which == "optional_type":
            proto = onnx.OptionalProto()
            proto.ParseFromString(data)
            return numpy_helper.to_optional(proto)
        proto = onnx.TensorProto()
        proto.ParseFromString(data)
        return numpy_helper.to_array(proto)

    def to_proto(value, vi):
        """ORT's output as the expected files hold it (the graph output's type decides)."""
        which = vi.type.WhichOneof("value")
        if which == "sequence_type":
            return numpy_helper.from_list(list(value), vi.name, onnx.SequenceProto.TENSOR)
        if which == "optional_type":
            inner = vi.type.optional_type.elem_type
            dtype = (onnx.OptionalProto.SEQUENCE if inner.WhichOneof("value") == "sequence_type"
                     else onnx.OptionalProto.TENSOR)
            return numpy_helper.from_optional(value, vi.name, dtype)
        if not isinstance(value, np.ndarray):
            raise TypeError(f"output {vi.name!r}: ORT returned {type(value).__name__}")
        return numpy_helper.from_array(value, vi.name)

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
            feeds[vi.name] = load_value(f, vi.type)
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
        try:
            protos = [to_proto(r, vi) for vi, r in zip(graph.output, results)]
        except (TypeError, ValueError) as e:
            skip("cannot write ORT's output: " + first_line(e))
            continue
        # The folder mirrors the node test's: model.onnx (a link to it, which types the
        # sequence and optional files for the readers) and test_data_set_0/output_K.pb.
        dest = out / test.name / "test_data_set_0"
        dest.mkdir(parents=True, exist_ok=True)
        model_link = out / test.name / "model.onnx"
        if not model_link.is_symlink():
            model_link.symlink_to(test / "model.onnx")
        for k, proto in enumerate(protos):
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
