#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the tensor readers' fixtures with the real writers (numpy, safetensors, onnx).

Run by the `tensors.fixtures` test: builds (or reuses) the scratch venv of
tools/tensor_env/make_env.py, then re-runs itself under that venv's python to write, into
--out, files in every format and a `manifest.json` saying what each holds (name, dtype, shape,
order, byte order and the exact data bytes as stored). Without the venv (no network on a fresh
machine) it writes nothing and the reader tests that need the files skip.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
ONNX_TESTDATA = pathlib.Path("/usr/share/libonnx-testdata/data/node")


def outer(out: pathlib.Path) -> int:
    try:
        python = subprocess.run([sys.executable, str(ROOT / "tools/tensor_env/make_env.py")],
                                check=True, capture_output=True, text=True).stdout.strip()
    except (subprocess.CalledProcessError, OSError) as e:
        print(f"tensors.fixtures: no tensor venv ({e}); the reader tests will skip")
        return 0
    return subprocess.run([python, __file__, "--out", str(out), "--inner"]).returncode


def inner(out: pathlib.Path) -> int:
    import ml_dtypes
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    manifest = []

    def describe(name, a, fortran=False):
        order = "F" if fortran else "C"
        bo = a.dtype.byteorder
        dtype = "bfloat16" if a.dtype == ml_dtypes.bfloat16 else a.dtype.name
        return {"name": name, "dtype": dtype, "shape": list(a.shape), "order": order,
                "byte_order": ">" if bo == ">" else "<",
                "hex": a.tobytes(order=order).hex()}

    def sample(dtype, shape):
        dt = np.dtype(dtype)
        if dt.kind == "f" or dtype is ml_dtypes.bfloat16:
            return (rng.standard_normal(shape) * 100).astype(dtype)
        if dt.kind == "b":
            return rng.integers(0, 2, shape).astype(bool)
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)

    numeric = ["float64", "float32", "float16", "int8", "int16", "int32", "int64", "uint8",
               "uint16", "uint32", "uint64", "bool"]
    # .npy: every dtype, both byte orders, Fortran order, every header version, 0-d, empty.
    for dt in numeric:
        a = sample(dt, (2, 3))
        np.save(out / f"{dt}.npy", a)
        manifest.append({"file": f"{dt}.npy", "tensors": [describe(dt, a)]})
    for dt in [">f4", ">f8", ">f2", ">i4", ">u8", ">i2"]:
        a = sample(np.dtype(dt).newbyteorder("="), (4,)).astype(dt)
        name = "be_" + np.dtype(dt).name
        np.save(out / f"{name}.npy", a)
        manifest.append({"file": f"{name}.npy", "tensors": [describe(name, a)]})
    f = np.asfortranarray(sample("float32", (3, 4, 2)))
    np.save(out / "fortran.npy", f)
    manifest.append({"file": "fortran.npy", "tensors": [describe("fortran", f, fortran=True)]})
    for version in [(1, 0), (2, 0), (3, 0)]:
        a = sample("int32", (5,))
        name = f"version{version[0]}"
        with open(out / f"{name}.npy", "wb") as fh:
            np.lib.format.write_array(fh, a, version=version)
        manifest.append({"file": f"{name}.npy", "tensors": [describe(name, a)]})
    scalar = np.array(3.25, dtype=np.float64)
    np.save(out / "scalar.npy", scalar)
    manifest.append({"file": "scalar.npy", "tensors": [describe("scalar", scalar)]})
    empty = np.zeros((0, 5), dtype=np.float32)
    np.save(out / "empty.npy", empty)
    manifest.append({"file": "empty.npy", "tensors": [describe("empty", empty)]})
    bf = sample(ml_dtypes.bfloat16, (3,))
    np.save(out / "bfloat16.npy", bf)  # descr `<V2`: refused as unsupported
    np.save(out / "object.npy", np.array([1, "a", None], dtype=object))  # refused, never loaded

    # .npz, stored and deflated (with a Fortran member).
    arrays = {"logits": sample("float32", (2, 5)), "ids": sample("int64", (7,)),
              "mask": sample("bool", (3, 3))}
    np.savez(out / "stored.npz", **arrays)
    manifest.append({"file": "stored.npz",
                     "tensors": [describe(k, v) for k, v in arrays.items()]})
    arrays2 = dict(arrays, fortran=np.asfortranarray(sample("float64", (4, 3))),
                   half=sample("float16", (6,)))
    np.savez_compressed(out / "deflated.npz", **arrays2)
    manifest.append({"file": "deflated.npz",
                     "tensors": [describe(k, v, fortran=(k == "fortran"))
                                 for k, v in arrays2.items()]})

    # .safetensors: every dtype the format shares with mlstack, bfloat16 through ml_dtypes.
    tensors = {f"t_{dt}": sample(dt, (2, 2)) for dt in numeric}
    tensors["t_bfloat16"] = sample(ml_dtypes.bfloat16, (3, 1))
    tensors["t_scalar"] = np.array(1.5, dtype=np.float32)
    save_file(tensors, str(out / "all.safetensors"), metadata={"format": "np"})
    # safetensors lists tensors by data offset; its writer orders them by dtype size, then name.
    with open(out / "all.safetensors", "rb") as fh:
        n = int.from_bytes(fh.read(8), "little")
        header = json.loads(fh.read(n))
    names = sorted((k for k in header if k != "__metadata__"),
                   key=lambda k: header[k]["data_offsets"])
    manifest.append({"file": "all.safetensors",
                     "tensors": [describe(k, tensors[k]) for k in names]})

    # ONNX TensorProto: raw_data (numpy_helper) and the typed fields (make_tensor raw=False).
    def onnx_entry(file, t):
        (out / file).write_bytes(t.SerializeToString())
        a = numpy_helper.to_array(t)
        manifest.append({"file": file, "tensors": [describe(t.name or pathlib.Path(file).stem,
                                                            np.ascontiguousarray(a))]})

    onnx_entry("raw_f32.pb", numpy_helper.from_array(sample("float32", (2, 3)), "raw_f32"))
    onnx_entry("raw_i64.pb", numpy_helper.from_array(sample("int64", (4,)), "raw_i64"))
    onnx_entry("noname.pb", numpy_helper.from_array(sample("uint8", (3,))))
    P = onnx.TensorProto
    typed = [("f32", P.FLOAT, sample("float32", (2, 2))), ("f64", P.DOUBLE, sample("float64", (3,))),
             ("f16", P.FLOAT16, sample("float16", (3,))),
             ("bf16", P.BFLOAT16, np.array([1.5, -2.25, 100.0], dtype=np.float32)),
             ("i8", P.INT8, sample("int8", (4,))), ("i16", P.INT16, sample("int16", (4,))),
             ("i32", P.INT32, sample("int32", (4,))), ("i64", P.INT64, sample("int64", (2,))),
             ("u8", P.UINT8, sample("uint8", (4,))), ("u16", P.UINT16, sample("uint16", (4,))),
             ("u32", P.UINT32, sample("uint32", (2,))), ("u64", P.UINT64, sample("uint64", (2,))),
             ("b", P.BOOL, sample("bool", (5,)))]
    for name, code, a in typed:
        t = helper.make_tensor(f"typed_{name}", code, a.shape, a.flatten().tolist(), raw=False)
        assert not t.HasField("raw_data")
        onnx_entry(f"typed_{name}.pb", t)

    # ONNX's own node test data (Debian's libonnx-testdata), read by onnx's numpy_helper.
    if ONNX_TESTDATA.is_dir():
        for test in ["test_abs", "test_add", "test_cast_FLOAT_to_FLOAT16",
                     "test_cast_FLOAT_to_BFLOAT16", "test_argmax_default_axis_example",
                     "test_equal", "test_split_equal_parts_1d"]:
            d = ONNX_TESTDATA / test / "test_data_set_0"
            if not d.is_dir():
                continue
            entry = {"dir": str(d), "tensors": []}
            k = 0
            while (d / f"output_{k}.pb").is_file():
                t = onnx.TensorProto()
                t.ParseFromString((d / f"output_{k}.pb").read_bytes())
                a = np.ascontiguousarray(numpy_helper.to_array(t))
                entry["tensors"].append(describe(t.name or f"output_{k}", a))
                k += 1
            manifest.append(entry)
        # Test data sets whose model has sequence or optional inputs or outputs: each file
        # read as onnx's test runner reads it (`Runner._load_proto`: the model's type picks
        # TensorProto, SequenceProto or OptionalProto; `to_array`, `to_list`, `to_optional`),
        # a list flattened to `name[0]`, `name[1]`, ..., an absent optional to nothing. The same
        # folders copied without their model.onnx, where the bytes decide: a present optional
        # then reads as a one-element sequence (its bytes are the same).
        def flatten(name, value, into):
            if value is None:
                return
            if isinstance(value, list):
                for i, v in enumerate(value):
                    flatten(f"{name}[{i}]", v, into)
                return
            into.append(describe(name, np.array(value, order="C")))  # 0-d stays 0-d

        def load(path, type_proto):
            data = path.read_bytes()
            kind = type_proto.WhichOneof("value")
            if kind == "sequence_type":
                m = onnx.SequenceProto()
                m.ParseFromString(data)
                return m.name, numpy_helper.to_list(m), kind
            if kind == "optional_type":
                m = onnx.OptionalProto()
                m.ParseFromString(data)
                return m.name, numpy_helper.to_optional(m), kind
            m = onnx.TensorProto()
            m.ParseFromString(data)
            return m.name, numpy_helper.to_array(m), kind

        nomodel = out / "nomodel"
        for model_path in sorted(ONNX_TESTDATA.glob("test_*/model.onnx")):
            model = onnx.load(str(model_path), load_external_data=False)
            graph = model.graph
            if all(v.type.WhichOneof("value") == "tensor_type"
                   for v in list(graph.input) + list(graph.output)):
                continue
            d = model_path.parent / "test_data_set_0"
            copy = nomodel / model_path.parent.name / "test_data_set_0"
            copy.mkdir(parents=True, exist_ok=True)
            for part, values in [("outputs", graph.output), ("inputs", graph.input)]:
                prefix = "output_" if part == "outputs" else "input_"
                entry = {"dir": str(d), "part": part, "tensors": []}
                bare = {"dir": str(copy), "part": part, "tensors": []}
                k = 0
                while (d / f"{prefix}{k}.pb").is_file():
                    f = d / f"{prefix}{k}.pb"
                    (copy / f.name).write_bytes(f.read_bytes())
                    name, value, kind = load(f, values[k].type)
                    name = name or f"{prefix}{k}"
                    flatten(name, value, entry["tensors"])
                    flatten(name, [value] if kind == "optional_type" and value is not None
                            else value, bare["tensors"])
                    k += 1
                manifest.append(entry)
                manifest.append(bare)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--inner", action="store_true")
    args = ap.parse_args()
    return inner(args.out) if args.inner else outer(args.out)


if __name__ == "__main__":
    sys.exit(main())
