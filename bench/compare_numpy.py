#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The numpy peer of `mlstack compare A B` in bench/compare.sh (issue 11): what a numpy user
writes to print the same report — numpy.allclose plus every statistic mlstack prints, with
the definitions of docs/compare.md "Statistics" (numpy semantics, rtol 1e-5, atol 1e-8).

Run under the tensor venv (tools/tensor_env/make_env.py: numpy, safetensors, ml_dtypes):

    compare_numpy.py A B                      print the report (text)
    compare_numpy.py A B --json               the statistics as mlstack.compare/1 fields
    compare_numpy.py A B --check MLSTACK.json compare them with `mlstack compare --json`'s;
                                              exit 1 and list the differences if any

Reading: `.npy` with numpy.load(mmap_mode="r"); `.safetensors` with safetensors' safe_open
(framework="np"), except bfloat16, which safetensors.numpy cannot return: those tensors are
mapped (numpy.memmap) at the offsets of the file's JSON header, as ml_dtypes.bfloat16.

Computing: vectorised numpy over chunks of CHUNK elements in C order (a careful numpy user's
way for 1 GiB tensors: the whole-array version needs ~10 float64 temporaries of 2-4 GiB
each). Per chunk: numpy.isclose on the arrays as stored (bfloat16 through ml_dtypes'
ufuncs, which is what numpy.allclose does with them), then the statistics in float64
(bfloat16 converted through float32, exactly). The finite errors are kept in two float64
arrays for numpy.median (overwrite_input, no further copy): 16 bytes an element.
"""
import argparse
import json
import math
import pathlib
import struct
import sys

import ml_dtypes
import numpy as np

CHUNK = 1 << 22
EDGES = np.array([0.0, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0])
LABELS = ["0", "(0, 1e-8]", "(1e-8, 1e-7]", "(1e-7, 1e-6]", "(1e-6, 1e-5]", "(1e-5, 1e-4]",
          "(1e-4, 1e-3]", "(1e-3, 1e-2]", "(1e-2, 1e-1]", "(1e-1, 1e0]", "> 1"]  # mlstack's
RTOL, ATOL = 1e-5, 1e-8


def load(path):
    """{name: array} in the file's order."""
    p = pathlib.Path(path)
    if p.suffix == ".npy":
        return {p.stem: np.load(p, mmap_mode="r")}
    if p.suffix == ".safetensors":
        from safetensors import safe_open
        with open(p, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
        header.pop("__metadata__", None)
        out = {}
        names = sorted(header, key=lambda k: header[k]["data_offsets"][0])
        with safe_open(p, framework="np") as f:
            for name in names:
                h = header[name]
                if h["dtype"] == "BF16":
                    out[name] = np.memmap(p, dtype=ml_dtypes.bfloat16, mode="r",
                                          offset=8 + n + h["data_offsets"][0],
                                          shape=tuple(h["shape"]))
                else:
                    out[name] = f.get_tensor(name)
        return out
    raise SystemExit(f"compare_numpy.py: {path}: not .npy or .safetensors")


def wide(x):
    """float64 values (bfloat16 through float32: exact)."""
    if x.dtype == ml_dtypes.bfloat16:
        x = x.astype(np.float32)
    return x.astype(np.float64)


def compare(a, b):
    s = {"elements": int(a.size)}
    if a.shape != b.shape:
        return {"outcome": "shape_differs"}
    x_all = np.ravel(a, order="C")
    y_all = np.ravel(b, order="C")
    n = a.size
    mismatches = nan_mm = inf_mm = finite = 0
    sum_abs = sum_rel = dot = na = nb = 0.0
    max_abs = max_rel = 0.0
    hist = np.zeros(len(LABELS), dtype=np.int64)
    abs_errors = np.empty(n, dtype=np.float64)
    rel_errors = np.empty(n, dtype=np.float64)
    worst_err, worst_i, first_mismatch = 0.0, None, None
    for first in range(0, n, CHUNK):
        x, y = x_all[first:first + CHUNK], y_all[first:first + CHUNK]
        close = np.isclose(x, y, rtol=RTOL, atol=ATOL)
        bad = close.size - np.count_nonzero(close)
        if bad and first_mismatch is None:
            first_mismatch = first + int(np.argmin(close))
        mismatches += bad
        xd, yd = wide(x), wide(y)
        nx, ny = np.isnan(xd), np.isnan(yd)
        nans = nx | ny
        nan_mm += int(np.count_nonzero(nans))
        fin = np.isfinite(xd) & np.isfinite(yd)
        inf_mm += int(np.count_nonzero(~nans & ~fin & (xd != yd)))
        with np.errstate(invalid="ignore"):
            err = np.abs(xd - yd)
        err[~fin] = -1.0  # so that argmax finds the first largest finite error
        k = int(np.argmax(err))
        if err[k] > worst_err:
            worst_err, worst_i = float(err[k]), first + k
        e, xf, yf = err[fin], xd[fin], yd[fin]
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = e / np.abs(yf)
        rel[(yf == 0) & (e == 0)] = 0.0
        m = e.size
        abs_errors[finite:finite + m] = e
        rel_errors[finite:finite + m] = rel
        finite += m
        if m:
            sum_abs += float(e.sum())
            sum_rel += float(rel.sum())
            max_abs = max(max_abs, float(e.max()))
            max_rel = max(max_rel, float(rel.max()))
            dot += float(xf @ yf)
            na += float(xf @ xf)
            nb += float(yf @ yf)
            hist += np.bincount(np.searchsorted(EDGES, e, side="left"), minlength=len(LABELS))
    s.update(mismatches=mismatches, mismatch_fraction=mismatches / n if n else 0.0,
             nan_mismatches=nan_mm, inf_mismatches=inf_mm, finite_pairs=finite,
             allclose=mismatches == 0)
    if finite:
        s.update(max_abs_error=max_abs, mean_abs_error=sum_abs / finite,
                 median_abs_error=float(np.median(abs_errors[:finite], overwrite_input=True)),
                 max_rel_error=max_rel, mean_rel_error=sum_rel / finite,
                 median_rel_error=float(np.median(rel_errors[:finite], overwrite_input=True)))
        if na > 0 and nb > 0:
            s["cosine_similarity"] = dot / math.sqrt(na * nb)
    del abs_errors, rel_errors
    i = worst_i if worst_i is not None else first_mismatch
    if i is not None:
        s["worst"] = {"index": [int(v) for v in np.unravel_index(i, a.shape)],
                      "a": float(wide(x_all[i:i + 1])[0]), "b": float(wide(y_all[i:i + 1])[0])}
    s["abs_error_histogram"] = [{"bin": lab, "count": int(c)} for lab, c in zip(LABELS, hist)]
    s["outcome"] = "agree" if mismatches == 0 else "values_differ"
    return s


def pairs(ta, tb):
    if len(ta) == 1 and len(tb) == 1:
        return [(next(iter(ta)), next(iter(tb)))]
    return [(k, k) for k in ta if k in tb]


def text(name, s):
    lines = [f"\n{name}: {'ok' if s['allclose'] else 'VALUES DIFFER'}",
             f"  out of tolerance  {s['mismatches']} of {s['elements']} "
             f"({100 * s['mismatch_fraction']:.4g} %)",
             f"  NaN mismatches    {s['nan_mismatches']}",
             f"  Inf mismatches    {s['inf_mismatches']}"]
    if s["finite_pairs"]:
        lines.append(f"  abs error         max {s['max_abs_error']:.6g}  mean "
                     f"{s['mean_abs_error']:.6g}  median {s['median_abs_error']:.6g}")
        lines.append(f"  rel error         max {s['max_rel_error']:.6g}  mean "
                     f"{s['mean_rel_error']:.6g}  median {s['median_rel_error']:.6g}")
    if "cosine_similarity" in s:
        lines.append(f"  cosine similarity {s['cosine_similarity']:.9f}")
    if "worst" in s:
        w = s["worst"]
        lines.append(f"  worst             {tuple(w['index'])}: {w['a']:.9g} vs {w['b']:.9g}")
    lines.append("  abs error histogram")
    lines += [f"    {h['bin']:<14} {h['count']}" for h in s["abs_error_histogram"] if h["count"]]
    return "\n".join(lines)


EXACT = ["outcome", "elements", "mismatches", "nan_mismatches", "inf_mismatches",
         "finite_pairs", "max_abs_error", "median_abs_error", "max_rel_error",
         "median_rel_error", "worst", "abs_error_histogram"]
CLOSE = ["mismatch_fraction", "mean_abs_error", "mean_rel_error", "cosine_similarity"]


def finite_or_none(v):
    """As mlstack.compare/1 writes numbers: a non-finite one as null."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, dict):
        return {k: finite_or_none(x) for k, x in v.items()}
    if isinstance(v, list):
        return [finite_or_none(x) for x in v]
    return v


def check(mine, theirs_path):
    """Differences between the peer's statistics and mlstack's JSON (exact, or 1e-12 relative
    for sums: mlstack sums in storage order, numpy pairwise)."""
    theirs = {(t["a"], t["b"]): t for t in json.load(open(theirs_path))["tensors"]}
    diffs = []
    if set(theirs) != set(mine):
        diffs.append(f"tensor pairs differ: {sorted(set(theirs) ^ set(mine))}")
    for key in sorted(set(theirs) & set(mine)):
        m, t = mine[key], theirs[key]
        for f in EXACT + CLOSE:
            mv, tv = finite_or_none(m.get(f)), t.get(f)
            ok = mv == tv if f in EXACT or mv is None or tv is None else \
                math.isclose(mv, tv, rel_tol=1e-12, abs_tol=0)
            if not ok:
                rel = f" (relative {abs(mv - tv) / abs(tv):.2g})" \
                    if f in CLOSE and mv is not None and tv else ""
                diffs.append(f"{key[0]}: {f}: numpy {mv!r}, mlstack {tv!r}{rel}")
    return diffs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--check", metavar="MLSTACK_JSON")
    o = ap.parse_args()
    ta, tb = load(o.a), load(o.b)
    result = {}
    for na_, nb_ in pairs(ta, tb):
        result[(na_, nb_)] = compare(ta[na_], tb[nb_])
    missing = [k for k in ta if k not in tb] if len(ta) + len(tb) > 2 else []
    extra = [k for k in tb if k not in ta] if len(ta) + len(tb) > 2 else []
    agree = all(s.get("allclose") for s in result.values()) and not missing and not extra
    if o.check:
        diffs = check(result, o.check)
        for d in diffs:
            print(d)
        print(f"{len(result)} tensor pair(s): " +
              ("numpy's statistics equal mlstack's" if not diffs else
               f"{len(diffs)} difference(s) from mlstack's"))
        return 1 if diffs else 0
    if o.json:
        json.dump({"agree": agree, "tensors": [dict(s, a=k[0], b=k[1])
                                                for k, s in result.items()]},
                  sys.stdout, indent=1)
        print()
    else:
        print(f"compare {o.a} {o.b}\n  rule: numpy.isclose (rtol {RTOL:g}, atol {ATOL:g})")
        for (na_, nb_), s in result.items():
            print(text(na_ if na_ == nb_ else f"{na_} ~ {nb_}", s))
        print(f"\n{'agree' if agree else 'DIFFER'}: "
              f"{sum(bool(s.get('allclose')) for s in result.values())} of "
              f"{len(result) + len(missing) + len(extra)} tensors agree")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
