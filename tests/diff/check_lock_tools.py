#!/usr/bin/env python3
"""`mlstack check --lock` on locks written by real tools: `uv pip compile --format
pylock.toml` (uv 0.13.9) and `pip lock` (pip 26.3), from a local find-links folder of small
wheels (no network).

Each case states what the check must find, derived from how the lock was made:
- a lock made for the target itself: healthy (`No broken requirements found.`, exit 0);
- a lock made for Windows (uv --python-platform windows) of a package with only a Windows
  wheel, checked for linux-x86_64: that package has no wheel for this platform (exit 1);
- a lock made for Python 3.12 (uv --python-version 3.12 of a package that requires it),
  checked for 3.11: the lock's requires-python and the package's fail (exit 1).

Usage: check_lock_tools.py --mlstack BUILD/mlstack --ref-python REFVENV/bin/python
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile


def make_wheel(folder, name, version, requires=(), tag="py3-none-any", requires_python=None):
    path = os.path.join(folder, f"{name}-{version}-{tag}.whl")
    info = f"{name}-{version}.dist-info"
    meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if requires_python:
        meta.append(f"Requires-Python: {requires_python}")
    meta += [f"Requires-Dist: {r}" for r in requires]
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}/__init__.py", "")
        z.writestr(f"{info}/METADATA", "\n".join(meta) + "\n")
        z.writestr(f"{info}/WHEEL", f"Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: false\nTag: {tag}\n")
        z.writestr(f"{info}/RECORD", "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlstack", required=True)
    ap.add_argument("--ref-python", required=True)
    args = ap.parse_args()
    bindir = os.path.dirname(args.ref_python)
    uv = os.path.join(bindir, "uv")
    work = tempfile.mkdtemp(prefix="mlstack-lock-tools-")
    env = dict(os.environ, PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               UV_PYTHON_DOWNLOADS="never", UV_NO_CACHE="1")
    for k in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "UV_INDEX_URL", "UV_FIND_LINKS"):
        env.pop(k, None)
    failures = 0
    try:
        wheels = os.path.join(work, "wheels")
        os.makedirs(wheels)
        make_wheel(wheels, "app", "1.0", ["lib>=1", "winlib; sys_platform == 'win32'"])
        make_wheel(wheels, "lib", "1.2")
        make_wheel(wheels, "winlib", "0.3", tag="cp311-cp311-win_amd64")
        make_wheel(wheels, "wintool", "2.0", tag="cp311-cp311-win_amd64")
        make_wheel(wheels, "newpy", "1.0", requires_python=">=3.12")
        idx = ["--no-index", "--find-links", wheels]

        def uv_lock(name, reqs, *flags):
            folder = os.path.join(work, name)
            os.makedirs(folder)
            req = os.path.join(folder, "requirements.in")
            with open(req, "w") as f:
                f.write("\n".join(reqs) + "\n")
            out = os.path.join(folder, "pylock.toml")
            subprocess.run([uv, "pip", "compile", "-q", "--format", "pylock.toml", *idx, *flags,
                            req, "-o", out], env=env, check=True)
            return out

        def pip_lock(name, reqs):
            out = os.path.join(work, f"pylock.{name}.toml")
            subprocess.run([args.ref_python, "-m", "pip", "lock", "-q", *idx, *reqs, "-o", out],
                           env=env, check=True, capture_output=True)
            return out

        cases = [
            ("uv, for the target", uv_lock("uv-linux", ["app"], "--python-version", "3.11",
                                           "--python-platform", "x86_64-manylinux_2_28"),
             ["--python-version", "3.11", "--platform", "linux-x86_64"], 0,
             ["No broken requirements found."]),
            ("uv, universal", uv_lock("uv-universal", ["app"], "--universal",
                                      "--python-version", "3.11"),
             ["--python-version", "3.11", "--platform", "linux-x86_64"], 0,
             ["No broken requirements found."]),
            ("uv universal, checked for Windows", os.path.join(work, "uv-universal", "pylock.toml"),
             ["--python-version", "3.11", "--platform", "windows-amd64"], 0,
             ["No broken requirements found."]),
            ("uv, for Windows, checked for Linux",
             uv_lock("uv-windows", ["wintool"], "--python-version", "3.11",
                     "--python-platform", "windows"),
             ["--python-version", "3.11", "--platform", "linux-x86_64"], 1,
             ["wintool 2.0 has no wheel for this platform (cp311-cp311-win_amd64)."]),
            ("uv, for Python 3.12, checked for 3.11",
             uv_lock("uv-py312", ["newpy"], "--python-version", "3.12"),
             ["--python-version", "3.11", "--platform", "linux-x86_64"], 1,
             ["The lock requires Python >=3.12, the target is 3.11.0."]),
            ("pip lock, for this interpreter", pip_lock("pip", ["app"]),
             ["--python", args.ref_python], 0, ["No broken requirements found."]),
        ]
        for title, lock, target, want_rc, want_lines in cases:
            got = subprocess.run([args.mlstack, "check", "--lock", lock, *target],
                                 capture_output=True, text=True, env=env)
            lines = got.stdout.splitlines()
            if got.returncode != want_rc or lines != want_lines:
                failures += 1
                print(f"{title}: expected exit {want_rc} {want_lines}, got exit {got.returncode} "
                      f"{lines}\n  stderr: {got.stderr}\n  lock:\n{open(lock).read()}")
            else:
                print(f"{title}: ok ({lines[0]})")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
