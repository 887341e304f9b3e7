# SPDX-License-Identifier: MIT
"""A scratch venv of pinned tools under ~/.cache/mlstack (never committed), shared by
tools/tensor_env/make_env.py and tools/wheel_env/make_env.py.

pip runs only when the pins change (a stamp holds their hash), installing them into the
existing venv. Prints the venv's python on success; `--path` only prints where it would be.
"""
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys


def main(requirements: pathlib.Path, env_variable: str, default_name: str) -> int:
    env = pathlib.Path(os.environ.get(env_variable,
                                      pathlib.Path.home() / ".cache" / "mlstack" / default_name))
    python = env / "bin" / "python"
    if "--path" in sys.argv[1:]:
        print(python)
        return 0
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    stamp = env / ".stamp"
    if stamp.is_file() and stamp.read_text() == digest and python.is_file():
        print(python)
        return 0
    # New pins install into the existing venv (pip upgrades or adds what they name) rather
    # than rebuilding it: worktrees on pins of different ages then share one venv without
    # deleting it under each other's running tests. A venv without a python is rebuilt.
    if not python.is_file():
        if env.exists():
            shutil.rmtree(env)
        subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "-r", str(requirements)], check=True)
    stamp.write_text(digest)
    print(python)
    return 0
