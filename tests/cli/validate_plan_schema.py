#!/usr/bin/env python3
"""Validates `mlstack plan --json` documents against docs/plan.schema.json.

The documents: the golden tests/cli/plan-*/stdout of the cases whose args hold `--json`, and,
with `--mlstack BIN`, live ones: the seed example and a spec with colliding constraints (`ok`
false, exit 4). The schema must also reject mutated copies (a wrong schema id, an unknown key,
an empty string for an unknown value), so that a too-loose schema fails here too.
Needs `jsonschema` (Debian: python3-jsonschema).
Usage: validate_plan_schema.py [--mlstack BIN]
"""
import copy
import json
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCHEMA = ROOT / "docs" / "plan.schema.json"
TF_ONLY = '[target]\npython = "3.9"\nbase = "debian:bullseye"\ncuda = "11.2"\n[frameworks]\ntensorflow = "==2.9.*"\n'
COLLIDING = '[target]\npython = "3.12"\nbase = "debian:bullseye"\n[frameworks]\ntensorflow = "==2.9.*"\n'


def documents(binary):
    for case in sorted(HERE.glob("plan-*")):
        args = (case / "args").read_text().split()
        if "--json" in args:
            yield str(case / "stdout"), json.loads((case / "stdout").read_text()), None
    if binary:
        seed = ROOT / "examples" / "tf29-torch112" / "mlstack.toml"
        run = subprocess.run([binary, "plan", str(seed), "--json", "--no-resolve"],
                             capture_output=True, text=True)
        yield "live seed", json.loads(run.stdout), (run.returncode, 0)
        with tempfile.TemporaryDirectory() as tmp:
            spec = pathlib.Path(tmp) / "mlstack.toml"
            spec.write_text(COLLIDING)
            run = subprocess.run([binary, "plan", str(spec), "--json"], capture_output=True, text=True)
            yield "live collision", json.loads(run.stdout), (run.returncode, 4)
        yield from resolved_documents(binary)


def resolved_documents(binary):
    """Plans resolved by the real resolver (uv of build/refvenv) from a local folder of stand-in
    wheels with real metadata (tests/fixtures/resolve/make_index.py), no network: a TensorFlow
    2.9 spec resolves cleanly (exit 0, protobuf held below 3.20); in the seed, torch
    1.12.1+cu113 is in no index given, so its variants have no solution (exit 4)."""
    refvenv = pathlib.Path(binary).resolve().parent.parent / "refvenv"
    if not (refvenv / "bin" / "uv").exists():
        if os.environ.get("CI") == "true":
            raise SystemExit(f"validate_plan_schema: no reference tools in {refvenv} (make refvenv)")
        print(f"validate_plan_schema: skipping resolved plans: no {refvenv} (make refvenv)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        wheels = pathlib.Path(tmp) / "wheels"
        subprocess.run([str(refvenv / "bin" / "python"), str(ROOT / "tests" / "fixtures" / "resolve" /
                        "make_index.py"), str(wheels)], check=True, capture_output=True)
        local = ["--json", "--no-index", "--find-links", str(wheels)]
        spec = pathlib.Path(tmp) / "mlstack.toml"
        spec.write_text(TF_ONLY)
        run = subprocess.run([binary, "plan", str(spec), *local], capture_output=True, text=True)
        doc = json.loads(run.stdout)
        yield "live resolved", doc, (run.returncode, 0)
        full = next(v for v in doc["resolution"]["variants"] if v["variant"] == "tensorflow")
        for want in ("tensorflow==2.9.1", "protobuf==3.19.6", "numpy==1.26.4"):
            if full["status"] != "resolved" or want not in full["packages"]:
                raise SystemExit(f"live resolved: variant tensorflow: {full}: expected {want}")
        seed = ROOT / "examples" / "tf29-torch112" / "mlstack.toml"
        run = subprocess.run([binary, "plan", str(seed), *local], capture_output=True, text=True)
        doc = json.loads(run.stdout)
        yield "live seed resolved", doc, (run.returncode, 4)
        statuses = {v["variant"]: v["status"] for v in doc["resolution"]["variants"]}
        if statuses != {"base": "resolved", "tf": "resolved", "torch": "no solution",
                        "full": "no solution"}:
            raise SystemExit(f"live seed resolved: statuses {statuses}")


def mutations(doc):
    m = copy.deepcopy(doc)
    m["schema"] = "mlstack.plan/0"
    yield "schema id", m
    m = copy.deepcopy(doc)
    m["extra"] = 1
    yield "an unknown top-level key", m
    m = copy.deepcopy(doc)
    m["target"]["base"] = ""
    yield "an empty string for unknown", m
    for fw in doc["frameworks"]:
        m = copy.deepcopy(doc)
        next(f for f in m["frameworks"] if f["name"] == fw["name"])["libraries"] = "maybe"
        yield "an unknown `libraries`", m


def main() -> int:
    try:
        import jsonschema
    except ImportError:
        print("validate_plan_schema: needs jsonschema (apt install python3-jsonschema)")
        return 1
    binary = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--mlstack" else None
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    problems = 0
    n = 0
    for name, doc, codes in documents(binary):
        n += 1
        for e in validator.iter_errors(doc):
            print(f"{name}: {e.json_path}: {e.message}")
            problems += 1
        if codes and codes[0] != codes[1]:
            print(f"{name}: exit {codes[0]}, expected {codes[1]}")
            problems += 1
        if doc["ok"] != (not doc["collisions"]):
            print(f"{name}: `ok` disagrees with `collisions`")
            problems += 1
        for what, m in mutations(doc):
            if validator.is_valid(m):
                print(f"{name}: the schema accepts {what}")
                problems += 1
    print(f"validate_plan_schema: {n} document(s), {problems} problem(s)")
    return 1 if problems or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
