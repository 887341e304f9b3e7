#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Differential cases for compare: arrays, and what numpy (and torch) say about them.

Run by the `compare.cases` test. Under the scratch venv of tools/tensor_env (numpy 2.4,
ml_dtypes) it generates CASES pairs of arrays of every dtype pair compare supports, seeded:
values near the tolerance boundary, NaN, +-Inf, +-0.0, subnormals, extremes, Fortran order;
writes them to cases.npz (bfloat16 as its uint16 bits), and to cases.json numpy's verdicts
(`np.isclose` mask, `np.allclose`) and the statistics numpy computes on the float64 values.
Then, when the real-wheel venv (~/.cache/mlstack/real-envs/current/venv) has torch, it runs
itself there to add `torch.isclose`'s mask (the check of `torch.testing.assert_close`) for the
floating pairs. Without the scratch venv it writes nothing and the tests skip.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
CASES = 3000
TORCH_VENV = pathlib.Path(os.environ.get(
    "MLSTACK_REAL_ENVS", pathlib.Path.home() / ".cache" / "mlstack" / "real-envs")) / "current/venv"


def outer(out: pathlib.Path) -> int:
    try:
        python = subprocess.run([sys.executable, str(ROOT / "tools/tensor_env/make_env.py")],
                                check=True, capture_output=True, text=True).stdout.strip()
    except (subprocess.CalledProcessError, OSError) as e:
        print(f"compare.cases: no tensor venv ({e}); the differential tests will skip")
        return 0
    rc = subprocess.run([python, __file__, "--out", str(out), "--numpy"]).returncode
    if rc != 0:
        return rc
    torch_python = TORCH_VENV / "bin" / "python"
    if torch_python.is_file():
        rc = subprocess.run([str(torch_python), __file__, "--out", str(out), "--torch"]).returncode
        if rc != 0:
            print("compare.cases: torch could not run; the torch cases will skip")
    return 0


FLOATS = ["float16", "bfloat16", "float32", "float64"]
INTS = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool"]
PAIRS = ([(f, f) for f in FLOATS] + [(i, i) for i in INTS] +
         [("float16", "float32"), ("float32", "float16"), ("float32", "float64"),
          ("float64", "float32"), ("int32", "float32"), ("float32", "int32"), ("int8", "float16"),
          ("uint8", "float32"), ("int64", "float64"), ("bool", "float32"), ("int16", "float16"),
          ("bfloat16", "float32"), ("float32", "bfloat16"), ("int64", "int32")])


def numpy_cases(out: pathlib.Path) -> int:
    import ml_dtypes
    import numpy as np

    np.seterr(all="ignore")
    rng = np.random.default_rng(20261206)

    def dt(name):
        return np.dtype(ml_dtypes.bfloat16) if name == "bfloat16" else np.dtype(name)

    def specials(name):
        d = dt(name)
        if d.kind == "b":
            return np.array([True, False])
        if d.kind in "iu":
            info = np.iinfo(d)
            return np.array([info.min, info.max, 0, 1, info.max - 1], dtype=d)
        fi = ml_dtypes.finfo(d) if name == "bfloat16" else np.finfo(d)
        vals = [np.nan, np.inf, -np.inf, 0.0, -0.0, float(fi.smallest_subnormal),
                -float(fi.smallest_subnormal) * 3, float(fi.max), float(fi.tiny), 1.0, -1.0]
        return np.array(vals, dtype=np.float64).astype(d)

    def values(name, shape, scale):
        d = dt(name)
        if d.kind == "b":
            return rng.integers(0, 2, shape).astype(bool)
        if d.kind in "iu":
            info = np.iinfo(d)
            lo, hi = max(info.min, -1000), min(info.max, 1000)
            return rng.integers(lo, hi, shape, endpoint=True).astype(d)
        return (rng.standard_normal(shape) * scale).astype(d)

    arrays = {}
    cases = []
    for n in range(CASES):
        an, bn = PAIRS[n % len(PAIRS)]
        ndim = int(rng.integers(0, 4))
        shape = tuple(int(x) for x in rng.integers(1, 6, ndim))
        scale = float(10.0 ** rng.uniform(-6, 6))
        rtol = float(rng.choice([0.0, 1e-5, 1e-3, 10.0 ** rng.uniform(-8, -1)]))
        atol = float(rng.choice([0.0, 1e-8, 1e-5, 10.0 ** rng.uniform(-9, -1) * scale]))
        equal_nan = bool(rng.integers(0, 2))
        b = values(bn, shape, scale)
        bf = b.astype(np.float64)
        # a near b: within, on or past the tolerance boundary, in a's dtype.
        k = rng.choice([0, 0.5, 1, 1.0000001, 2, -1, -3], size=shape)
        m = rng.choice([0, 0.5, 1, 2, -1], size=shape)
        a64 = bf + np.abs(bf) * rtol * k + atol * m
        if dt(an).kind in "iu":
            info = np.iinfo(dt(an))
            a64 = np.clip(np.nan_to_num(np.round(a64)), max(info.min, -2**52), min(info.max, 2**52))
        with np.errstate(all="ignore"):
            a = a64.astype(dt(an)) if dt(an).kind != "b" else (a64 != 0)
        # Sprinkle special values into both.
        if a.size:
            for arr, name in ((a, an), (b, bn)):
                sp = specials(name)
                flat = arr.reshape(-1)
                for _ in range(int(rng.integers(0, 3))):
                    flat[int(rng.integers(0, flat.size))] = sp[int(rng.integers(0, sp.size))]
        if rng.integers(0, 4) == 0 and ndim >= 2:
            a = np.asfortranarray(a)
        if rng.integers(0, 4) == 0 and ndim >= 2:
            b = np.asfortranarray(b)
        with np.errstate(all="ignore"):
            mask = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
            allclose = bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
        af, bf = a.astype(np.float64), b.astype(np.float64)
        finite = np.isfinite(af) & np.isfinite(bf)
        e = np.abs(af - bf)[finite]
        with np.errstate(all="ignore"):
            rel = np.where(bf[finite] == 0, np.where(e == 0, 0.0, np.inf), e / np.abs(bf[finite]))
        def num(x):  # JSON has no Infinity or NaN: those go as strings
            x = float(x)
            return x if np.isfinite(x) else repr(x)

        stats = None
        if e.size:
            stats = {"max_abs": num(e.max()), "mean_abs": num(e.mean()),
                     "median_abs": num(np.median(e)), "max_rel": num(rel.max()),
                     "median_rel": num(np.median(rel)), "finite_pairs": int(e.size)}
            na, nb = float(np.sum(af[finite] ** 2)), float(np.sum(bf[finite] ** 2))
            if na > 0 and nb > 0 and np.isfinite(na) and np.isfinite(nb):
                stats["cosine"] = num(np.sum(af[finite] * bf[finite]) / np.sqrt(na * nb))
        nan_a, nan_b = np.isnan(af), np.isnan(bf)
        nan_mismatch = int(np.sum((nan_a != nan_b) | (nan_a & nan_b & (not equal_nan))))
        inf_mismatch = int(np.sum(~nan_a & ~nan_b & (np.isinf(af) | np.isinf(bf)) & (af != bf)))

        def store(key, x, name):
            arrays[key] = x.view(np.uint16) if name == "bfloat16" else x

        store(f"a{n}", a, an)
        store(f"b{n}", b, bn)
        cases.append({"id": n, "a_dtype": an, "b_dtype": bn, "rtol": rtol, "atol": atol,
                      "equal_nan": equal_nan, "numpy_mask": "".join("1" if v else "0" for v in mask.reshape(-1)),
                      "numpy_allclose": allclose, "stats": stats,
                      "nan_mismatches": nan_mismatch, "inf_mismatches": inf_mismatch})
    polygraphy_verdicts(arrays, cases)
    np.savez(out / "cases.npz", **arrays)
    (out / "cases.json").write_text(json.dumps(cases))
    return 0


def polygraphy_verdicts(arrays, cases) -> None:
    """Polygraphy's elemwise verdict (CompareFunc.simple) for each case it can take: not bool
    (XOR) nor bfloat16 (not a numpy dtype it knows) nor 0-d."""
    import numpy as np
    from polygraphy.comparator import CompareFunc, IterationResult
    from polygraphy.logger import G_LOGGER

    G_LOGGER.module_severity = G_LOGGER.CRITICAL
    for c in cases:
        if "bool" in (c["a_dtype"], c["b_dtype"]) or "bfloat16" in (c["a_dtype"], c["b_dtype"]):
            continue
        # Polygraphy views outputs, which must be C-contiguous: the values stay the same.
        a = np.ascontiguousarray(arrays[f"a{c['id']}"])
        b = np.ascontiguousarray(arrays[f"b{c['id']}"])
        if a.ndim == 0:  # Polygraphy 0.53.6 fails on 0-d arrays (item assignment on a scalar)
            continue
        # Polygraphy subtracts integers in their dtype (uint64 a - b wraps whenever a < b,
        # int32/int64 at their limits) and abs(INT_MIN) stays negative; mlstack computes
        # integer errors exactly (docs/compare.md), so those cases are left out.
        ints = [x for x in (a, b) if x.dtype.kind in "iu"]
        if any(x.dtype == np.uint64 for x in ints) or any(
                x.size and (int(x.min()) <= -2**31 + 1 or int(x.max()) >= 2**31 - 1) for x in ints):
            continue
        func = CompareFunc.simple(rtol=c["rtol"], atol=c["atol"], check_error_stat="elemwise")
        with np.errstate(all="ignore"):
            result = func(IterationResult({"out": a}, runner_name="a"),
                          IterationResult({"out": b}, runner_name="b"))
        c["polygraphy_pass"] = bool(result["out"])


def torch_cases(out: pathlib.Path) -> int:
    import numpy as np
    import torch

    data = np.load(out / "cases.npz")
    cases = json.loads((out / "cases.json").read_text())
    tcases = []
    for c in cases:
        # torch has no isclose for uint16/32/64; integers are compared with integers only.
        unsupported = {"uint16", "uint32", "uint64"}
        if (c["a_dtype"] in unsupported or c["b_dtype"] in unsupported or
                (c["a_dtype"] in INTS) != (c["b_dtype"] in INTS)):
            continue

        def tensor(key, name):
            x = np.ascontiguousarray(data[key])
            if name == "bfloat16":
                return torch.from_numpy(x.astype(np.int16)).view(torch.bfloat16)
            return torch.from_numpy(x.astype(np.int64) if x.dtype == np.uint64 else x)

        ta, tb = tensor(f"a{c['id']}", c["a_dtype"]), tensor(f"b{c['id']}", c["b_dtype"])
        # As assert_close(check_dtype=False): default tolerances from the inputs' dtypes
        # (the looser), then both promoted to a common dtype, then torch.isclose.
        default = torch.testing._comparison.default_tolerances(ta, tb)
        d = torch.promote_types(ta.dtype, tb.dtype)
        ta, tb = ta.to(d), tb.to(d)
        mask = torch.isclose(ta, tb, rtol=c["rtol"], atol=c["atol"], equal_nan=c["equal_nan"])
        dmask = torch.isclose(ta, tb, rtol=default[0], atol=default[1])
        tcases.append({"id": c["id"], "mask": "".join("1" if v else "0" for v in mask.reshape(-1).tolist()),
                       "default_rtol": default[0], "default_atol": default[1],
                       "default_mask": "".join("1" if v else "0" for v in dmask.reshape(-1).tolist())})
    (out / "torch_cases.json").write_text(json.dumps(tcases))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--numpy", action="store_true")
    ap.add_argument("--torch", action="store_true")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.numpy:
        return numpy_cases(args.out)
    if args.torch:
        return torch_cases(args.out)
    return outer(args.out)


if __name__ == "__main__":
    sys.exit(main())
