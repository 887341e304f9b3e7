#!/usr/bin/env python3
"""Integration test on real wheels from PyPI.

Builds a venv with real distributions (pinned, small), breaks it the ways people do
(`--no-deps` installs of a too-old or dependency-less package, the seed's protobuf pin), then
compares:
  * `mlstack check` with `pip check` (newest pip, installed into the venv): same lines, same
    exit code;
  * `mlstack doctor --json` distributions with `pip inspect`: same names, versions, locations,
    installers and number of Requires-Dist.
Usage: real_env_diff.py --mlstack BUILD/mlstack [--workdir D]
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

PIP = "pip==26.3"
PACKAGES = ["requests==2.32.3", "python-dateutil==2.9.0.post0", "attrs==24.2.0",
            "protobuf==3.20.0", "rich==13.9.4", "typing-extensions==4.12.2",
            "packaging==24.2", "tqdm==4.67.1", "filelock==3.16.1", "Jinja2==3.1.4",
            "click==8.1.7", "PyYAML==6.0.2", "ml-dtypes==0.4.1"]
BREAK_NO_DEPS = ["urllib3==1.21.1", "google-auth==2.36.0", "opencv-python-headless==4.10.0.84"]


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def build(venv: pathlib.Path) -> None:
    if (venv / ".stamp").exists():
        return
    sh([sys.executable, "-m", "venv", str(venv)])
    py = str(venv / "bin" / "python")
    q = ["-q", "--disable-pip-version-check"]
    sh([py, "-m", "pip", "install", *q, PIP])
    sh([py, "-m", "pip", "install", *q, *PACKAGES])
    sh([py, "-m", "pip", "install", *q, "--no-deps", *BREAK_NO_DEPS])
    (venv / ".stamp").write_text("ok\n")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlstack", required=True)
    ap.add_argument("--workdir", default="build/real-env")
    args = ap.parse_args()
    venv = pathlib.Path(args.workdir).resolve()
    try:
        build(venv)
    except subprocess.CalledProcessError as e:
        print(f"could not build the real environment (PyPI unreachable?): {e.stderr[-500:]}")
        return 1
    py = str(venv / "bin" / "python")
    failures = 0

    pip = subprocess.run([py, "-m", "pip", "--disable-pip-version-check", "check"],
                         capture_output=True, text=True)
    ml = subprocess.run([args.mlstack, "check", "--python", py], capture_output=True, text=True)
    if sorted(pip.stdout.splitlines()) != sorted(ml.stdout.splitlines()) or \
            pip.returncode != ml.returncode:
        failures += 1
        print(f"check: MISMATCH pip exit {pip.returncode}, mlstack exit {ml.returncode}")
        print("pip:\n" + pip.stdout + "mlstack:\n" + ml.stdout + ml.stderr)
    else:
        print(f"check: same {len(pip.stdout.splitlines())} lines, exit {pip.returncode}")

    inspect = json.loads(sh([py, "-m", "pip", "--disable-pip-version-check", "inspect"]).stdout)
    want = {}
    for d in inspect["installed"]:
        md = d["metadata"]
        name = md["name"].lower().replace("_", "-").replace(".", "-")
        want[name] = (md["version"], os.path.dirname(d["metadata_location"]),
                      d.get("installer", ""), sorted(md.get("requires_dist", [])))
    doc = subprocess.run([args.mlstack, "doctor", "--json", "--python", py],
                         capture_output=True, text=True)
    report = json.loads(doc.stdout)
    got = {}
    for d in report["distributions"]:
        got[d["name"]] = (d["version"], d["location"], d["installer"] or "",
                          sorted(d["requires"]))
    if report["schema"] != "mlstack.doctor/2":
        failures += 1
        print("doctor: wrong schema " + report["schema"])
    for name in sorted(set(want) | set(got)):
        if name not in got or name not in want:
            failures += 1
            print(f"inventory: {name} only in {'pip' if name in want else 'mlstack'}")
            continue
        w, g = want[name], got[name]
        if w[:3] != g[:3]:
            failures += 1
            print(f"inventory: {name}: pip {w[:3]} mlstack {g[:3]}")
        if len(w[3]) != len(g[3]):
            failures += 1
            print(f"inventory: {name}: requires differ: {w[3]} vs {g[3]}")
    print(f"inventory: {len(got)} distributions compared with pip inspect")
    print(f"doctor findings: {sorted({f['id'] for f in report['findings']})}")
    print(f"real environment: {0 if failures else 1} passed, {1 if failures else 0} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
