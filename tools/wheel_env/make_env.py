#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds the scratch venv the wheel test uses (tests/wheel; never committed).

The venv holds the wheel's build and check tools (scikit-build-core, build, auditwheel, pipx)
pinned in tools/wheel_env/requirements.txt, under $MLSTACK_WHEEL_ENV (default
~/.cache/mlstack/wheel-env). pip runs only when the pins change (a stamp holds their hash),
installing them into the existing venv. Prints the venv's python on success; tests that need
it skip when it is absent.

Usage: make_env.py [--path]   build (or, with --path, only print where it would be)
"""
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ENV = pathlib.Path(os.environ.get("MLSTACK_WHEEL_ENV",
                                  pathlib.Path.home() / ".cache" / "mlstack" / "wheel-env"))


def main() -> int:
    python = ENV / "bin" / "python"
    if "--path" in sys.argv[1:]:
        print(python)
        return 0
    pins = (HERE / "requirements.txt").read_bytes()
    digest = hashlib.sha256(pins).hexdigest()
    stamp = ENV / ".stamp"
    if stamp.is_file() and stamp.read_text() == digest and python.is_file():
        print(python)
        return 0
    # New pins install into the existing venv (pip upgrades or adds what they name) rather
    # than rebuilding it: worktrees on pins of different ages then share one venv without
    # deleting it under each other's running tests. A venv without a python is rebuilt.
    if not python.is_file():
        if ENV.exists():
            shutil.rmtree(ENV)
        subprocess.run([sys.executable, "-m", "venv", str(ENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "-r", str(HERE / "requirements.txt")], check=True)
    stamp.write_text(digest)
    print(python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
