#!/usr/bin/env python3
"""Validates every golden `doctor --json` report against docs/doctor.schema.json.

The goldens: tests/cli/<case>/stdout of the cases whose args hold `--json` (doctor's),
tests/real/golden/*.json, and tests/data/report/*.json (renderer fixtures the report unit tests
compare with: loader and probes). Besides the schema (JSON Schema draft 2020-12, checked first), each
report's summary must count its findings. The schema must also reject what it exists to
forbid (a mutated copy of a golden), so that a too-loose schema fails here too.
With `--mlstack BIN`, also the live report of `doctor --json --no-gpu` on the interpreter running
this script (an interpreter target: `executable`, `system` and `in_virtualenv` filled in).
Needs `jsonschema` (Debian: python3-jsonschema); without it the test fails and says so.
Usage: validate_schema.py [--mlstack BIN] [REPORT.json ...]   (default: the goldens)
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
SCHEMA = ROOT / "docs" / "doctor.schema.json"


def goldens() -> list[pathlib.Path]:
    out = []
    for case in sorted(HERE.iterdir()):
        args = case / "args"
        if args.is_file() and "--json" in args.read_text().split() and \
                "--healthcheck" not in args.read_text().split() and \
                args.read_text().split()[0] == "doctor" and (case / "exit_code").read_text().strip() != "2":
            out.append(case / "stdout")
    out += sorted((ROOT / "tests" / "real" / "golden").glob("*.json"))
    out += sorted((ROOT / "tests" / "data" / "report").glob("*.json"))
    return out


def counts(report: dict) -> dict:
    c = {"errors": 0, "warnings": 0, "infos": 0}
    for f in report["findings"]:
        c[{"error": "errors", "warning": "warnings", "info": "infos"}[f["severity"]]] += 1
    return c


def mutations(report: dict):
    """Copies of a valid report that the schema must reject, with what was changed."""
    m = copy.deepcopy(report)
    m["schema"] = "mlstack.doctor/1"
    yield "schema id 1", m
    m = copy.deepcopy(report)
    m["python"]["executable"] = "relative/bin/python"
    yield "a relative executable", m
    m = copy.deepcopy(report)
    m["unknown_key"] = 1
    yield "an unknown top-level key", m
    if report["distributions"]:
        m = copy.deepcopy(report)
        m["distributions"][0]["installer"] = ""
        yield "an empty string for unknown", m
    for f in report.get("frameworks", []):
        m = copy.deepcopy(report)
        m["frameworks"][0]["cuda"] = {"value": "", "source": ""}
        yield "an empty sourced value", m
        m = copy.deepcopy(report)
        m["frameworks"][0]["name"] = m["frameworks"][0]["distributions"][0] + "-x"
        yield "a framework named by a distribution", m
        break


def main() -> int:
    try:
        import jsonschema
    except ImportError:
        print("validate_schema: the Python module `jsonschema` is missing "
              "(Debian: apt-get install python3-jsonschema)")
        return 1
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    argv = sys.argv[1:]
    live = None
    if argv[:1] == ["--mlstack"]:
        live, argv = argv[1], argv[2:]
    paths = [pathlib.Path(p) for p in argv] or goldens()
    reports = [(p, json.loads(p.read_text())) for p in paths]
    if live:
        with tempfile.TemporaryDirectory(prefix="mlstack-schema-") as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith("MLSTACK_")}
            env["XDG_CACHE_HOME"] = tmp
            p = subprocess.run([live, "doctor", "--json", "--no-gpu", "--python", sys.executable],
                               capture_output=True, text=True, env=env, timeout=300)
        if p.returncode not in (0, 1):
            print(f"doctor --json --python {sys.executable}: exit {p.returncode}: {p.stderr[:500]}")
            return 1
        report = json.loads(p.stdout)
        if report["python"]["executable"] is None or report["system"] is None:
            print("the live report has no executable or no system")
            return 1
        reports.append((pathlib.Path(f"(doctor --python {sys.executable})"), report))
    failures = 0
    for path, report in reports:
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
        for e in errors[:5]:
            print(f"{path}: /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}")
        if not errors and report["summary"] != counts(report):
            errors.append("summary")
            print(f"{path}: summary {report['summary']} does not count the findings "
                  f"{counts(report)}")
        if not errors:
            for what, mutated in mutations(report):
                if validator.is_valid(mutated):
                    errors.append(what)
                    print(f"{path}: the schema accepts {what}")
        failures += bool(errors)
        print(f"{'FAIL' if errors else 'ok  '} {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"{len(reports) - failures} valid, {failures} invalid")
    return 1 if failures or not reports else 0


if __name__ == "__main__":
    sys.exit(main())
