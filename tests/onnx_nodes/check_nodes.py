#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`mlstack compare` on ONNX Runtime's outputs against ONNX's expected node test outputs.

The `onnx_nodes.compare` test. For every node test ort_outputs.py ran (its manifest.json in
--outputs), runs `mlstack compare --json OUTPUTS/<test>/test_data_set_0 NODE_TESTS/<test>/test_data_set_0`
(ORT's outputs under test, the ONNX project's expected outputs the reference) and checks the
verdict against expect.txt (its header says how): agree under numpy's default rule, or agree
only with a stated atol, or random, or a finding that must still differ with atol 1e-3. Every
comparison must pair the same tensor names with equal shapes and dtypes. Prints the counts,
the skipped tests and why, and each listed test's figures. Exits 77 (ctest skip) when the
outputs were not written (no tensor venv, no libonnx-testdata).
Usage: check_nodes.py --mlstack BIN --outputs DIR [--expect FILE] [-j N]
"""
import argparse
import collections
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
SKIP = 77
FINDING_ATOL = "1e-3"


def read_expect(path: pathlib.Path) -> dict:
    expect = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        words = line.split()
        kind, name = words[0], words[1] if len(words) > 1 else ""
        entry = {"kind": kind, "line": number}
        if kind == "tolerance" and len(words) > 2 and words[2].startswith("atol="):
            entry["atol"] = words[2].removeprefix("atol=")
        elif kind == "finding" and len(words) > 2 and words[2].startswith("max_abs="):
            entry["max_abs"] = float(words[2].removeprefix("max_abs="))
        elif kind != "random":
            raise SystemExit(f"{path}:{number}: expected `tolerance NAME atol=X`, `random NAME` "
                             f"or `finding NAME max_abs=X`, found: {line}")
        if name in expect:
            raise SystemExit(f"{path}:{number}: {name} listed twice")
        expect[name] = entry
    return expect


def compare(mlstack: str, a: pathlib.Path, b: pathlib.Path, *extra: str):
    proc = subprocess.run([mlstack, "compare", str(a), str(b), "--json", *extra],
                          capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        return None, f"exit {proc.returncode}: {proc.stderr.strip()}"
    doc = json.loads(proc.stdout)
    if doc["agree"] != (proc.returncode == 0):
        return None, f"exit {proc.returncode} with agree={doc['agree']}"
    return doc, None


def max_abs(doc) -> float:
    return max((t.get("max_abs_error") or 0.0 for t in doc["tensors"]), default=0.0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlstack", required=True)
    ap.add_argument("--outputs", type=pathlib.Path, required=True)
    ap.add_argument("--expect", type=pathlib.Path, default=HERE / "expect.txt")
    ap.add_argument("-j", type=int, default=2)
    args = ap.parse_args()
    manifest = json.loads((args.outputs / "manifest.json").read_text()) \
        if (args.outputs / "manifest.json").is_file() else {"unavailable": "no manifest.json"}
    if "unavailable" in manifest:
        print(f"onnx_nodes.compare: skipped: {manifest['unavailable']}")
        return SKIP
    node_tests = pathlib.Path(manifest["node_tests"])
    expect = read_expect(args.expect)
    tests = manifest["tests"]
    ran = [t["name"] for t in tests if t["status"] == "run"]
    skipped = [t for t in tests if t["status"] == "skipped"]
    print(f"ONNX Runtime {manifest['onnxruntime']} (onnx {manifest['onnx']}, numpy "
          f"{manifest['numpy']}) on {len(tests)} node tests of {node_tests}: "
          f"{len(ran)} ran, {len(skipped)} skipped")
    reasons = collections.Counter(t["reason"].split(":")[0] + ": " +
                                  t["reason"].split(":")[1].split("'")[0].strip()
                                  if t["reason"].startswith("not a readable") else
                                  t["reason"].split(":")[0] for t in skipped)
    for reason, count in reasons.most_common():
        print(f"  skipped {count:3d}  {reason}")
    for t in skipped:
        print(f"    {t['name']}: {t['reason']}")

    failures, notes = [], []
    for name in expect:
        if name not in ran:
            failures.append(f"{name} is listed in {args.expect.name} but ORT did not run it")

    def check(name: str):
        a, b = args.outputs / name / "test_data_set_0", node_tests / name / "test_data_set_0"
        entry = expect.get(name, {"kind": "agree"})
        doc, error = compare(args.mlstack, a, b)
        if error:
            return name, entry, None, [f"{name}: {error}"], []
        fails, note = [], []
        if doc["missing_in_b"] or doc["extra_in_b"]:
            fails.append(f"{name}: unpaired {doc['missing_in_b']} {doc['extra_in_b']}")
        for t in doc["tensors"]:
            if (t["a"] != t["b"] or t["outcome"] == "shape_differs"
                    or t["dtype_a"] != t["dtype_b"]):
                fails.append(f"{name}: {t['a']} vs {t['b']}: {t['outcome']} "
                             f"{t['dtype_a']} {t['shape_a']} vs {t['dtype_b']} {t['shape_b']}")
        kind = entry["kind"]
        if kind == "agree" and not doc["agree"]:
            fails.append(f"{name}: differs under numpy's default rule (max abs error "
                         f"{max_abs(doc):.3g}); not listed in {args.expect.name}")
        elif kind == "tolerance":
            loose, error = compare(args.mlstack, a, b, "--atol", entry["atol"])
            if error:
                fails.append(f"{name}: {error}")
            elif not loose["agree"]:
                fails.append(f"{name}: differs even with atol {entry['atol']} (max abs error "
                             f"{max_abs(loose):.3g})")
            if doc["agree"]:
                note.append(f"{name}: agrees without its tolerance now (line {entry['line']})")
        elif kind == "finding":
            loose, error = compare(args.mlstack, a, b, "--atol", FINDING_ATOL)
            if error:
                fails.append(f"{name}: {error}")
            elif loose["agree"]:
                fails.append(f"{name}: a listed finding agrees with atol {FINDING_ATOL} now: "
                             f"take it out of {args.expect.name} and docs/compare.md")
        return name, entry, doc, fails, note

    counts = collections.Counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
        for name, entry, doc, fails, note in pool.map(check, ran):
            failures += fails
            notes += note
            if doc is None:
                continue
            kind = entry["kind"]
            counts[kind] += 1
            if kind != "agree":
                print(f"  {kind:9s} {name}: {'agree' if doc['agree'] else 'differ'} by default,"
                      f" max abs error {max_abs(doc):.3g}"
                      + (f", atol {entry['atol']}" if kind == "tolerance" else ""))
    print(f"{counts['agree']} agree under numpy's default rule (rtol 1e-5, atol 1e-8), "
          f"{counts['tolerance']} with a stated atol, {counts['random']} random draws "
          f"(shapes and dtypes checked), {counts['finding']} findings (differ beyond atol "
          f"{FINDING_ATOL})")
    for n in notes:
        print("NOTE:", n)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
