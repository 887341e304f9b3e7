#!/usr/bin/env python3
"""`doctor --format prometheus` through Prometheus's own checker, `promtool check metrics`.

Every golden doctor case of tests/cli (format_cases.py) and a live run on the interpreter
running this script are rendered with `--format prometheus` and piped to `promtool check
metrics`, which parses the text exposition format and lints it (naming conventions, HELP,
duplicate series); any message fails. Each output must also count the case's findings as the
case's JSON does, and `mlstack_healthy` must agree with the exit status. Then `--output FILE`:
the file holds the same text, has mode 0644 less the umask (node-exporter must read it), and no
temporary file is left beside it.
promtool comes with Debian's `prometheus` package (Makefile DEB_TEST); without it the test
skips, and fails under CI=true.
Usage: validate_prometheus.py --mlstack BIN [--fake-nvml LIB]
"""
import json
import os
import pathlib
import re
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import format_cases  # noqa: E402

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def promtool(text: str) -> str:
    p = subprocess.run(["promtool", "check", "metrics"], input=text.encode(),
                       capture_output=True, timeout=60)
    p.stdout, p.stderr = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
    return "" if p.returncode == 0 and not p.stdout.strip() and not p.stderr.strip() \
        else f"promtool exit {p.returncode}: {p.stdout}{p.stderr}"


def samples(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        m = SAMPLE.match(line)
        if m:
            out[m.group(1) + (m.group(2) or "")] = m.group(3)
    return out


def check(name: str, text: str, exit_code: int, counts: dict | None) -> list[str]:
    problems = []
    if msg := promtool(text):
        problems.append(msg)
    s = samples(text)
    healthy = s.get("mlstack_healthy")
    if healthy != ("1" if exit_code == 0 else "0"):
        problems.append(f"mlstack_healthy {healthy} with exit status {exit_code}")
    if counts is not None:
        for sev, key in (("error", "errors"), ("warning", "warnings"), ("info", "infos")):
            got = s.get(f'mlstack_findings{{severity="{sev}"}}')
            if got != str(counts[key]):
                problems.append(f"{sev}: {got}, the JSON report counts {counts[key]}")
    if "mlstack_last_run_timestamp_seconds" not in s:
        problems.append("no mlstack_last_run_timestamp_seconds")
    return problems


def check_output_file(binary: str) -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory(prefix="mlstack-prom-") as tmp:
        for umask, mode in ((0o022, 0o644), (0o077, 0o600)):
            target = pathlib.Path(tmp) / "mlstack.prom"
            target.write_text("old\n")
            old = os.umask(umask)
            try:
                p = format_cases.live(binary, ["--format", "prometheus", "--output", str(target)])
            finally:
                os.umask(old)
            if p.returncode not in (0, 1) or p.stdout:
                problems.append(f"--output: exit {p.returncode}, stdout {p.stdout[:200]!r}, "
                                f"stderr {p.stderr[:300]!r}")
                continue
            got = stat.S_IMODE(target.stat().st_mode)
            if got != mode:
                problems.append(f"--output under umask {umask:03o}: mode {got:03o}, "
                                f"expected {mode:03o}")
            if msg := promtool(target.read_text()):
                problems.append(f"--output file: {msg}")
            left = sorted(p.name for p in pathlib.Path(tmp).iterdir() if p.name != target.name)
            if left:
                problems.append(f"--output left {left}")
    return problems


def main() -> int:
    argv = sys.argv[1:]
    binary = argv[argv.index("--mlstack") + 1]
    fake_nvml = argv[argv.index("--fake-nvml") + 1] if "--fake-nvml" in argv else ""
    if shutil.which("promtool") is None:
        print("promtool is missing (Debian: apt-get install prometheus)")
        if format_cases.in_ci():
            print("CI is set: this test must run, not skip")
            return 1
        return 77
    # promtool must refuse what the format forbids (else this test proves nothing).
    if not promtool('# TYPE x gauge\nx{a="b"c"} 1\n'):
        print("FAIL promtool accepts an unescaped quote in a label value")
        return 1
    failures = 0
    runs = 0
    for case in format_cases.doctor_cases():
        p = format_cases.run_case(binary, fake_nvml, case, ["--format", "prometheus"])
        j = format_cases.run_case(binary, fake_nvml, case, ["--json"])
        counts = json.loads(j.stdout)["summary"] if j.stdout.startswith("{") else None
        problems = check(case.name, p.stdout, p.returncode, counts)
        if counts is None:
            problems.append(f"no JSON report to compare with (exit {j.returncode})")
        runs += 1
        failures += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {case.name}")
        for msg in problems:
            print(f"     {msg}")
    p = format_cases.live(binary, ["--format", "prometheus"])
    j = format_cases.live(binary, ["--json"])
    problems = check("live", p.stdout, p.returncode, json.loads(j.stdout)["summary"])
    problems += check_output_file(binary)
    runs += 1
    failures += bool(problems)
    print(f"{'FAIL' if problems else 'ok  '} live doctor --python {sys.executable}")
    for msg in problems:
        print(f"     {msg}")
    print(f"{runs - failures} valid, {failures} invalid")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
