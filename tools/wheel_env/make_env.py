#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds the scratch venv the wheel test uses (tests/wheel; never committed).

The venv holds the wheel's build and check tools (scikit-build-core, build, auditwheel, pipx)
pinned in tools/wheel_env/requirements.txt, under $MLSTACK_WHEEL_ENV (default
~/.cache/mlstack/wheel-env). pip runs only when the pins change
(tools/scratch_venv.py). Prints the venv's python on success; tests that need it skip when it
is absent.

Usage: make_env.py [--path]   build (or, with --path, only print where it would be)
"""
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import scratch_venv  # noqa: E402

if __name__ == "__main__":
    sys.exit(scratch_venv.main(HERE / "requirements.txt", "MLSTACK_WHEEL_ENV", "wheel-env"))
