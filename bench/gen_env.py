#!/usr/bin/env python3
"""Generate a virtualenv with N synthetic distributions for benchmarks.

The distributions look like real ones: a dist-info folder with METADATA (a few headers, 0-8
Requires-Dist with specifiers and markers, a long description body), WHEEL, INSTALLER and a
RECORD of a few files, plus the package folder with those files. Dependencies point at other
generated distributions, so check does real work; about 1% are deliberately broken.

Usage: gen_env.py DEST N [--pip PIP_REQUIREMENT]
"""
import argparse
import os
import random
import subprocess
import sys

BODY = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 40 + "\n") * 4
MARKERS = ['python_version >= "3.8"', 'sys_platform == "win32"', 'extra == "test"',
           'platform_machine == "x86_64"', 'python_version < "3.10" and os_name == "posix"']


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dest")
    ap.add_argument("n", type=int)
    ap.add_argument("--pip", default=None, help="also install this pip into the venv")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", args.dest], check=True)
    py = os.path.join(args.dest, "bin", "python")
    site = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    names = [f"pkg{i:05d}_{rng.choice(['core', 'io', 'ml', 'x'])}" for i in range(args.n)]
    versions = [f"{rng.randrange(0, 5)}.{rng.randrange(0, 30)}.{rng.randrange(0, 10)}"
                for _ in range(args.n)]
    for i, (name, version) in enumerate(zip(names, versions)):
        info = os.path.join(site, f"{name}-{version}.dist-info")
        os.makedirs(info)
        pkg = os.path.join(site, name)
        os.makedirs(pkg)
        lines = ["Metadata-Version: 2.1", f"Name: {name.replace('_', '-')}",
                 f"Version: {version}", "Summary: synthetic benchmark distribution",
                 "Requires-Python: >=3.8", "Provides-Extra: test"]
        for _ in range(rng.randrange(0, 9)):
            j = rng.randrange(0, args.n)
            dep = names[j]
            if rng.random() < 0.99:
                spec = f">={versions[j]}" if rng.random() < 0.7 else f"<{int(versions[j][0]) + 1}"
            else:
                spec = ">=99"  # a real conflict, now and then
            line = f"Requires-Dist: {dep}{spec}"
            if rng.random() < 0.3:
                line += f" ; {rng.choice(MARKERS)}"
            lines.append(line)
        with open(os.path.join(info, "METADATA"), "w") as f:
            f.write("\n".join(lines) + "\n\n" + BODY)
        with open(os.path.join(info, "WHEEL"), "w") as f:
            f.write("Wheel-Version: 1.0\nGenerator: gen_env\nRoot-Is-Purelib: true\n"
                    "Tag: py3-none-any\n")
        with open(os.path.join(info, "INSTALLER"), "w") as f:
            f.write("pip\n")
        files = [f"{name}/__init__.py", f"{name}/core.py"]
        for rel in files:
            with open(os.path.join(site, rel), "w") as f:
                f.write("x = 1\n")
        with open(os.path.join(info, "RECORD"), "w") as f:
            for rel in files:
                f.write(f"{rel},sha256=abc,6\n")
            for meta in ("METADATA", "WHEEL", "INSTALLER", "RECORD"):
                f.write(f"{name}-{version}.dist-info/{meta},,\n")
    if args.pip:
        # ensurepip has no -q; its output is not interesting.
        subprocess.run([py, "-m", "ensurepip"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        args.pip], check=True)
    print(f"{args.dest}: {args.n} distributions in {site}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
