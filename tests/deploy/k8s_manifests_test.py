#!/usr/bin/env python3
"""deploy/kubernetes's manifests against the Kubernetes JSON schemas (label-less, in `make test`).

Sets up the validator, PyPI's kubernetes-validate (pinned in requirements-validate.txt: it
bundles the Kubernetes JSON schemas per version, strict flavour included), in a cached venv,
~/.cache/mlstack/deploy-validate (rebuilt when the requirements change; never committed), then
runs k8s_check.py with it. Without the validator (no network for pip on a first run, no
python3-venv) the test skips (exit 77) on a developer's machine and fails under CI=true.
Usage: k8s_manifests_test.py [MLSTACK_BINARY]
"""
import fcntl
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements-validate.txt"
CACHE = pathlib.Path(os.environ.get("XDG_CACHE_HOME", pathlib.Path.home() / ".cache")) / "mlstack"
VENV = CACHE / "deploy-validate"
SKIP = 77


def in_ci() -> bool:
    return os.environ.get("CI", "") not in ("", "0", "false", "False", "FALSE")


def missing(msg: str) -> int:
    if in_ci():
        print(f"FAIL: {msg} (CI is set: the manifests must be validated, not skipped)")
        return 1
    print(f"skipped: {msg}")
    return SKIP


def validator_python() -> pathlib.Path | None:
    """The venv's python, set up when missing or stale; None when it cannot be."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    python = VENV / "bin" / "python"
    stamp = VENV / ".requirements-sha256"
    if python.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return python
    print(f"setting up the validator in {VENV}", flush=True)
    shutil.rmtree(VENV, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    steps = [[sys.executable, "-m", "venv", str(VENV)],
             [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
              "-r", str(REQUIREMENTS)]]
    for step in steps:
        r = subprocess.run(step, capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout + r.stderr)
            shutil.rmtree(VENV, ignore_errors=True)
            return None
    stamp.write_text(digest + "\n")
    return python


def main() -> int:
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / "deploy-validate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs at once set it up once
        python = validator_python()
    if python is None:
        return missing(f"could not install {REQUIREMENTS.name} into {VENV}")
    r = subprocess.run([str(python), str(HERE / "k8s_check.py"), *sys.argv[1:]])
    return r.returncode


if __name__ == "__main__":
    sys.exit(main())
