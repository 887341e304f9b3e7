#!/usr/bin/env python3
"""`doctor --format nfd` against Node Feature Discovery's rules for a local feature file.

The rules, from NFD's documentation (docs/usage/customization-guide.md, "Local feature source",
kubernetes-sigs/node-feature-discovery) and source (source/local/local.go), and Kubernetes'
label syntax (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/
#syntax-and-character-set), as NFD's master validates the labels it publishes:
- the file is at most 64 KiB (local.go `MaxFeatureFileSize = 65536`; a bigger file is ignored);
- `# +expiry-time=<RFC 3339>` comes before the first feature (it applies to the lines after
  it), parses, and lies `--expiry` seconds after the run (MLSTACK_NOW fixes the run's time
  for the goldens; the live run's is the clock's);
  any other `# +` line is an unknown directive (NFD logs an error);
- every other line is a comment or `<namespace>/<name>=<value>`: the namespace a DNS
  subdomain that nfd-master accepts by default (not `kubernetes.io` nor `*.kubernetes.io`,
  docs/reference/master-commandline-reference.md `-deny-label-ns`), the name at most 63
  characters `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, the value at most 63 characters of the
  same pattern (or empty); no name twice;
- the labels say what the JSON report says: the counts, the verdict, each framework's version.
Every golden doctor case of tests/cli (format_cases.py) and a live run are checked, and the
`--output` file is written without a visible temporary file (NFD reads every file of
features.d but dot files).
Usage: validate_nfd.py --mlstack BIN [--fake-nvml LIB]
"""
import datetime
import json
import pathlib
import re
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import format_cases  # noqa: E402

MAX_FILE = 65536
NOW = 1796623200  # 2026-12-07T06:00:00Z
NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse(text: str, expiry: tuple[int, int]) -> tuple[dict[str, str], list[str]]:
    problems = []
    labels: dict[str, str] = {}
    if len(text.encode()) > MAX_FILE:
        problems.append(f"{len(text.encode())} bytes, NFD ignores files over {MAX_FILE}")
    found = None
    for n, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("# +"):
                key, _, value = line[3:].partition("=")
                if key != "expiry-time":
                    problems.append(f"line {n}: unknown directive `{key}`")
                elif not RFC3339.match(value.strip()):
                    problems.append(f"line {n}: `{value}` is not RFC 3339")
                else:
                    found = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            continue
        if found is None:
            problems.append(f"line {n}: a feature before `# +expiry-time=`")
        key, eq, value = line.partition("=")
        ns, slash, name = key.partition("/")
        if not eq or not slash:
            problems.append(f"line {n}: expected `namespace/name=value`, found `{line}`")
            continue
        if len(ns) > 253 or not SUBDOMAIN.match(ns):
            problems.append(f"line {n}: namespace `{ns}` is not a DNS subdomain")
        if ns == "kubernetes.io" or ns.endswith(".kubernetes.io"):
            problems.append(f"line {n}: namespace `{ns}` is denied by nfd-master")
        if len(name) > 63 or not NAME.match(name):
            problems.append(f"line {n}: name `{name}` is not a valid label name")
        if len(value) > 63 or not VALUE.match(value):
            problems.append(f"line {n}: value `{value}` is not a valid label value")
        if key in labels:
            problems.append(f"line {n}: `{key}` twice")
        labels[key] = value
    if found is None:
        problems.append("no `# +expiry-time=` directive")
    elif not expiry[0] <= found.timestamp() <= expiry[1]:
        problems.append(f"expiry {found.isoformat()}, expected from "
                        f"{datetime.datetime.fromtimestamp(expiry[0], datetime.timezone.utc)} to "
                        f"{datetime.datetime.fromtimestamp(expiry[1], datetime.timezone.utc)}")
    return labels, problems


def check(text: str, exit_code: int, report: dict, expiry: tuple[int, int]) -> list[str]:
    labels, problems = parse(text, expiry)
    s = report["summary"]
    want = {"mlstack.io/doctor.errors": str(s["errors"]),
            "mlstack.io/doctor.warnings": str(s["warnings"]),
            "mlstack.io/doctor.infos": str(s["infos"]),
            "mlstack.io/doctor.verdict": "errors" if s["errors"] else
            "warnings" if s["warnings"] else "healthy",
            "mlstack.io/doctor.healthy": "true" if exit_code == 0 else "false"}
    for fw in report.get("frameworks", []):
        v = re.sub(r"[^A-Za-z0-9._-]", "_", fw["version"]).strip("._-")[:63].strip("._-")
        want[f"mlstack.io/{fw['name']}.version"] = v
    for key, value in want.items():
        if labels.get(key) != value:
            problems.append(f"{key}={labels.get(key)}, expected {value}")
    return problems


def self_test() -> list[str]:
    """The rules must reject what NFD or Kubernetes would: a too-loose validator fails here."""
    head = "# +expiry-time=2026-12-07T06:10:00Z\n"
    bad = {
        "a value with `+`": head + "mlstack.io/torch.version=2.15.0+cu130\n",
        "a 64-character value": head + "mlstack.io/x=" + "a" * 64 + "\n",
        "a value ending in `.`": head + "mlstack.io/x=1.\n",
        "a 64-character name": head + "mlstack.io/" + "n" * 64 + "=1\n",
        "a denied namespace": head + "node.kubernetes.io/x=1\n",
        "no namespace": head + "x=1\n",
        "a feature before the expiry": "mlstack.io/x=1\n" + head,
        "an unknown directive": head + "# +expiry=1\nmlstack.io/x=1\n",
        "a name twice": head + "mlstack.io/x=1\nmlstack.io/x=2\n",
        "a file over 64 KiB": head + "# " + "x" * MAX_FILE + "\n",
    }
    window = (NOW + 600, NOW + 600)
    problems = [f"accepts {what}" for what, text in bad.items() if not parse(text, window)[1]]
    if parse(head + "mlstack.io/x=1\n", window)[1]:
        problems.append("rejects a valid file")
    return problems


def main() -> int:
    argv = sys.argv[1:]
    binary = argv[argv.index("--mlstack") + 1]
    fake_nvml = argv[argv.index("--fake-nvml") + 1] if "--fake-nvml" in argv else ""
    env = {"MLSTACK_NOW": str(NOW)}
    failures = runs = 0
    results = [("the validator's own rules", self_test())]
    for case in format_cases.doctor_cases():
        p = format_cases.run_case(binary, fake_nvml, case, ["--format", "nfd"], env)
        j = format_cases.run_case(binary, fake_nvml, case, ["--json"])
        results.append((case.name, check(p.stdout, p.returncode, json.loads(j.stdout),
                                         (NOW + 600, NOW + 600))))
    # A live run, with --expiry and --output into a features.d-like folder.
    with tempfile.TemporaryDirectory(prefix="mlstack-nfd-") as tmp:
        target = pathlib.Path(tmp) / "mlstack"
        before = int(time.time())
        p = format_cases.live(binary, ["--format", "nfd", "--expiry", "3600",
                                       "--output", str(target)])
        after = int(time.time()) + 1
        j = format_cases.live(binary, ["--json"])
        problems = [] if target.is_file() else [f"no --output file: {p.stderr[:300]}"]
        if not problems:
            problems = check(target.read_text(), p.returncode, json.loads(j.stdout),
                             (before + 3600, after + 3600))
        left = sorted(x.name for x in pathlib.Path(tmp).iterdir() if x.name != "mlstack")
        if left:
            problems.append(f"--output left {left}")
        results.append((f"live doctor --python {sys.executable}", problems))
    for name, problems in results:
        runs += 1
        failures += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '} {name}")
        for msg in problems:
            print(f"     {msg}")
    print(f"{runs - failures} valid, {failures} invalid")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
