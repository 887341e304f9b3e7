#!/usr/bin/env python3
"""Differential test: `mlstack check --report` against `pip check` on the same set installed.

A find-links folder of small generated wheels (random requirements among them, with markers,
extras, pre-releases and local versions) stands in for an index. Each case asks pip (the
pinned reference) for an installation report of a requirement set,
`pip install --dry-run --ignore-installed --no-index --find-links DIR --report R.json ...`,
installs the same set (same flags) into a fresh venv, and compares `pip check` on that venv
with `mlstack check --report R.json`: the same stdout lines (order may differ) and the same
exit code. Cases with `--no-deps` and explicit pins make conflicting and incomplete sets.

Usage: check_report_diff.py --mlstack BUILD/mlstack --ref-python REFVENV/bin/python [--cases N]
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile

NAMES = ["alpha", "Beta_Pkg", "gamma.lib", "delta-x", "eps", "zeta", "eta", "theta"]
VERSIONS = ["0.9", "1.0", "1.5", "2.0rc1", "2.0", "2.1+local", "3.0"]
OPS = [">=", "<", "==", "!=", "~="]
MARKERS = ['python_version >= "3.8"', 'python_version < "3"', 'sys_platform == "win32"',
           'sys_platform == "linux"', 'extra == "test"', 'platform_machine == "x86_64"',
           'implementation_name == "cpython"']


def canon(name):
    return name.replace(".", "-").replace("_", "-").lower()


def make_wheel(folder, name, version, requires, extras, tag="py3-none-any"):
    dist = name.replace("-", "_").replace(".", "_")
    path = os.path.join(folder, f"{dist}-{version}-{tag}.whl")
    info = f"{dist}-{version}.dist-info"
    meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    meta += [f"Provides-Extra: {e}" for e in extras]
    meta += [f"Requires-Dist: {r}" for r in requires]
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{dist}/__init__.py", "")
        z.writestr(f"{info}/METADATA", "\n".join(meta) + "\n")
        z.writestr(f"{info}/WHEEL", f"Wheel-Version: 1.0\nGenerator: diff\nRoot-Is-Purelib: true\n"
                                    f"Tag: {tag}\n")
        z.writestr(f"{info}/RECORD", "")


def requirement(rng, others):
    name = rng.choice(others)
    spec = "" if rng.random() < 0.3 else f"{rng.choice(OPS)}{rng.choice(['1.0', '1.5', '2.0'])}"
    if spec.startswith("~="):
        spec = "~=1.0"
    marker = f"; {rng.choice(MARKERS)}" if rng.random() < 0.3 else ""
    extra = "[test]" if rng.random() < 0.1 else ""
    return f"{name}{extra}{spec}{marker}"


def build_index(rng, folder):
    os.makedirs(folder)
    for i, name in enumerate(NAMES):
        later = NAMES[i + 1:]  # requirements only point forward: the resolver always succeeds
        for version in rng.sample(VERSIONS, 3):
            reqs = [requirement(rng, later) for _ in range(rng.randint(0, 2))] if later else []
            make_wheel(folder, name, version, reqs, ["test"])


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlstack", required=True)
    ap.add_argument("--ref-python", required=True)
    ap.add_argument("--cases", type=int, default=12)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("MLSTACK_DIFF_SEED", "9")))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="mlstack-report-diff-")
    env = dict(os.environ, PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env.pop("PIP_FIND_LINKS", None)
    env.pop("PIP_INDEX_URL", None)
    failures = 0
    compared = 0
    try:
        wheels = os.path.join(work, "wheels")
        build_index(rng, wheels)
        pip = [args.ref_python, "-m", "pip"]
        for case in range(args.cases):
            no_deps = case % 2 == 1
            names = rng.sample(NAMES, rng.randint(1, 4))
            reqs = []
            for n in names:
                if no_deps:
                    # Pin a version that exists; the set may conflict or miss a dependency.
                    versions = sorted({f.split("-")[1] for f in os.listdir(wheels)
                                       if canon(f.split("-")[0]) == canon(n)})
                    reqs.append(f"{n}=={rng.choice(versions)}")
                else:
                    reqs.append(n)
            flags = ["--no-index", "--find-links", wheels] + (["--no-deps"] if no_deps else [])
            report = os.path.join(work, f"report{case}.json")
            r = run(pip + ["install", "-q", "--dry-run", "--ignore-installed", "--report", report]
                    + flags + reqs, env=env)
            if r.returncode != 0:
                print(f"case {case}: pip could not resolve {reqs}, skipped:\n{r.stderr}")
                continue
            venv = os.path.join(work, f"venv{case}")
            run([args.ref_python, "-m", "venv", "--without-pip", venv], env=env, check=True)
            vpy = os.path.join(venv, "bin", "python")
            r = run(pip + ["--python", vpy, "install", "-q"] + flags + reqs, env=env)
            if r.returncode != 0:
                print(f"case {case}: install failed:\n{r.stderr}")
                failures += 1
                continue
            ref = run(pip + ["--python", vpy, "check"], env=env)
            got = run([args.mlstack, "check", "--report", report], env=env)
            compared += 1
            ref_lines = sorted(ref.stdout.splitlines())
            got_lines = sorted(got.stdout.splitlines())
            if ref_lines != got_lines or (ref.returncode != 0) != (got.returncode != 0) or \
                    got.returncode not in (0, 1):
                failures += 1
                print(f"case {case} ({' '.join(reqs)}{' --no-deps' if no_deps else ''}): DIFFERS")
                print(f"  pip check (exit {ref.returncode}):\n    " + "\n    ".join(ref_lines))
                print(f"  mlstack (exit {got.returncode}):\n    " + "\n    ".join(got_lines))
                print(f"  mlstack stderr: {got.stderr}")
            else:
                print(f"case {case}: same ({len(ref_lines)} lines, exit {got.returncode})")
        print(f"{compared} cases compared, {failures} differences")
        return 1 if failures or compared == 0 else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
