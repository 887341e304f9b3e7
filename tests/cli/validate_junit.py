#!/usr/bin/env python3
"""`doctor --format junit` against the JUnit XML schema, with `xmllint --schema`.

The schema is junit-10.xsd (junit_schema.py: the Jenkins/Ant schema pytest validates its own
output with, fetched once into a cache). Every golden doctor case of tests/cli (format_cases.py)
and a live run on this interpreter are rendered with `--format junit` and validated; the schema
types the counts as strings, so this also checks them: `tests`, `failures` and `skipped` count
the test cases, `<failure>` and `<skipped>` elements; every finding id of the case's JSON report
has its test case, failed when the id has an error, skipped when it has only warnings (failed
with `--strict`); every other test case passes.
Needs xmllint (Debian libxml2-utils) and the schema (network once); without either the test
skips, and fails under CI=true.
Usage: validate_junit.py --mlstack BIN [--fake-nvml LIB]
"""
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import format_cases  # noqa: E402
import junit_schema  # noqa: E402


def xmllint(xsd: pathlib.Path, text: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".xml", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        p = subprocess.run(["xmllint", "--noout", "--schema", str(xsd), f.name],
                           capture_output=True, text=True, timeout=60)
    return "" if p.returncode == 0 else f"xmllint exit {p.returncode}: {p.stderr[:800]}"


def expected_outcomes(report: dict, strict: bool) -> dict[str, str]:
    worst: dict[str, str] = {}
    for f in report["findings"]:
        rank = {"error": 2, "warning": 1, "info": 0}
        if rank[f["severity"]] >= rank.get(worst.get(f["id"], "info"), 0):
            worst[f["id"]] = f["severity"]
    out = {}
    for fid, sev in worst.items():
        out[fid] = "failure" if sev == "error" or (sev == "warning" and strict) else \
            "skipped" if sev == "warning" else "pass"
    return out


def check(xsd: pathlib.Path, text: str, report: dict, strict: bool) -> list[str]:
    problems = []
    if msg := xmllint(xsd, text):
        return [msg]
    root = ET.fromstring(text)
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    outcome = {}
    for c in cases:
        kind = "failure" if c.find("failure") is not None else \
            "skipped" if c.find("skipped") is not None else "pass"
        if c.get("name") in outcome:
            problems.append(f"test case {c.get('name')} twice")
        outcome[c.get("name")] = kind
    for node, what in ((root, "testsuites"), (suite, "testsuite")):
        if node.get("tests") != str(len(cases)):
            problems.append(f"{what} tests={node.get('tests')}, {len(cases)} test cases")
        fails = sum(1 for k in outcome.values() if k == "failure")
        if node.get("failures") != str(fails):
            problems.append(f"{what} failures={node.get('failures')}, {fails} failed")
    skips = sum(1 for k in outcome.values() if k == "skipped")
    if suite.get("skipped") != str(skips):
        problems.append(f"skipped={suite.get('skipped')}, {skips} skipped")
    expected = expected_outcomes(report, strict)
    for fid, kind in expected.items():
        if outcome.get(fid) != kind:
            problems.append(f"{fid}: {outcome.get(fid)}, expected {kind}")
    for name, kind in outcome.items():
        if name not in expected and kind != "pass":
            problems.append(f"{name}: {kind} without a finding")
    if len(cases) < 20:
        problems.append(f"only {len(cases)} test cases: the checks are missing")
    return problems


def main() -> int:
    argv = sys.argv[1:]
    binary = argv[argv.index("--mlstack") + 1]
    fake_nvml = argv[argv.index("--fake-nvml") + 1] if "--fake-nvml" in argv else ""
    xsd, why = junit_schema.schema_path()
    if shutil.which("xmllint") is None:
        xsd, why = None, "xmllint is missing (Debian: apt-get install libxml2-utils)"
    if xsd is None:
        print(why)
        if format_cases.in_ci():
            print("CI is set: this test must run, not skip")
            return 1
        return 77
    print(f"schema: {xsd}")
    # The schema must reject what it exists to forbid (a too-loose check fails here).
    bad = ('<testsuites><testsuite name="x" tests="1" failures="0" errors="0">'
           '<testcase classname="c"/></testsuite></testsuites>')
    if not xmllint(xsd, bad):
        print("FAIL the schema accepts a test case without a name")
        return 1
    failures = runs = 0
    for case in format_cases.doctor_cases():
        strict = "--strict" in (case / "args").read_text().split()
        p = format_cases.run_case(binary, fake_nvml, case, ["--format", "junit"])
        j = format_cases.run_case(binary, fake_nvml, case, ["--json"])
        problems = check(xsd, p.stdout, json.loads(j.stdout), strict)
        runs += 1
        failures += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {case.name}")
        for msg in problems:
            print(f"     {msg}")
    p = format_cases.live(binary, ["--format", "junit"])
    j = format_cases.live(binary, ["--json"])
    problems = check(xsd, p.stdout, json.loads(j.stdout), False)
    runs += 1
    failures += bool(problems)
    print(f"{'FAIL' if problems else 'ok  '} live doctor --python {sys.executable}")
    for msg in problems:
        print(f"     {msg}")
    print(f"{runs - failures} valid, {failures} invalid")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
