#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Doctor on real environments installed from PyPI (tools/real_envs/make_envs.py).

For one environment, under each fake-NVML machine (tests/data/nvml: H200, A100 and T4 on driver
580, CUDA 13.0):
  - `mlstack doctor --site SITE --json` must show the facts and findings of
    tests/real/expect/<env>.json (what the binaries and the frameworks say; see there);
  - `mlstack doctor --site SITE` (text) must equal tests/real/golden/<env>-<machine>.txt, the
    site folder written `[SITE]` (MLSTACK_UPDATE_GOLDEN=1 rewrites the goldens);
  - `mlstack archs --json` on every framework and nvidia-* library with CUDA device code must
    list what cuobjdump lists (the CUDA 13 cuobjdump; 11.8 for sm_35-era builds, which CUDA 13
    refuses), per architecture and entry count.
Exits 77 (ctest SKIP) when the environment has not been built.

Usage: real_env_test.py --mlstack BIN --fake-nvml LIB ENV
"""
import argparse
import collections
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = ROOT / "tests" / "data"
MACHINES = ["h200-580", "a100-580", "t4-580"]
SKIP = 77
CACHE = pathlib.Path(os.environ.get("MLSTACK_REAL_ENVS",
                                    pathlib.Path.home() / ".cache" / "mlstack" / "real-envs"))


def site_of(env: str) -> pathlib.Path | None:
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "real_envs" / "make_envs.py"),
                          "--path", env], capture_output=True, text=True, check=True)
    site = pathlib.Path(out.stdout.strip())
    stamp = CACHE / env / ".stamp"
    return site if site.is_dir() and stamp.exists() else None


def python_version(site: pathlib.Path) -> str:
    m = re.search(r"python(\d+\.\d+)", str(site))
    return m.group(1) if m else "3.10"  # the seed folder is for CPython 3.10


def run_doctor(args, site: pathlib.Path, machine: str, json_out: bool) -> tuple[int, str]:
    fixture = json.loads((DATA / "nvml" / f"{machine}.json").read_text())
    with tempfile.TemporaryDirectory(prefix="mlstack-real-") as tmp:
        for path, text in fixture.get("files", {}).items():
            f = pathlib.Path(tmp) / "fs" / path.lstrip("/")
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(text)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("MLSTACK_", "CUDA_", "TF_", "XLA_")) and k != "LD_LIBRARY_PATH"}
        env.update({"NO_COLOR": "1", "XDG_CACHE_HOME": str(pathlib.Path(tmp) / "cache"),
                    "MLSTACK_FAKE_NVML_JSON": str(DATA / "nvml" / f"{machine}.json"),
                    "MLSTACK_SYSFS_ROOT": str(pathlib.Path(tmp) / "fs")})
        cmd = [args.mlstack, "doctor", "--site", str(site), "--python-version",
               python_version(site), "--nvml-library", args.fake_nvml]
        if json_out:
            cmd.append("--json")
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        return p.returncode, p.stdout.replace(str(site), "[SITE]").replace(args.fake_nvml,
                                                                            "[FAKE_NVML]")


def get(obj, dotted: str):
    for part in dotted.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj.get(part)
    return obj


def check_expectations(report: dict, machine: str, code: int, expect: dict) -> list[str]:
    problems = []
    frameworks = {f["name"]: f for f in report["frameworks"]}
    for name, fields in expect.get("frameworks", {}).items():
        fw = frameworks.get(name)
        if fw is None:
            problems.append(f"{machine}: framework {name} not reported")
            continue
        for field, want in fields.items():
            got = get(fw, field)
            if got != want:
                problems.append(f"{machine}: {name}.{field} is {got!r}, expected {want!r}")
    found = {(f["id"], " ".join(f["subjects"])) for f in report["findings"]}
    rules = expect.get("findings", {})
    for key in ("all", machine):
        for want in rules.get(key, {}).get("present", []):
            if not any(i == want[0] and want[1] in s for i, s in found):
                problems.append(f"{machine}: finding {want[0]} about {want[1]} missing")
        for want in rules.get(key, {}).get("absent", []):
            if any(i == want[0] and want[1] in s for i, s in found):
                problems.append(f"{machine}: finding {want[0]} about {want[1]} is false")
    want_code = rules.get(machine, {}).get("exit_code", rules.get("all", {}).get("exit_code"))
    if want_code is not None and code != want_code:
        problems.append(f"{machine}: exit code {code}, expected {want_code}")
    for want in expect.get("fix_contains", {}).get(machine, []) + \
            expect.get("fix_contains", {}).get("all", []):
        if not any(f["id"] == want[0] and want[1] in f["fix"] for f in report["findings"]):
            problems.append(f"{machine}: no {want[0]} fix contains {want[1]!r}")
    return problems


def cuobjdump_listing(tool: str, path: pathlib.Path) -> tuple[collections.Counter, str]:
    counts = collections.Counter()
    for flag, kind in (("--list-elf", "sass"), ("--list-ptx", "ptx")):
        p = subprocess.run([tool, flag, str(path)], capture_output=True, text=True, timeout=600)
        if "fatal" in p.stderr:
            return counts, p.stderr.strip()
        for line in p.stdout.splitlines():
            m = re.match(r"(ELF|PTX) file\s+\d+: .*\.(sm_\w+)\.(cubin|ptx)$", line)
            if m:
                arch = m.group(2)
                counts[f"{kind}:{arch if kind == 'sass' else 'compute_' + arch[3:]}"] += 1
    return counts, ""


def check_archs(args, site: pathlib.Path) -> list[str]:
    tools = {}
    env_file = CACHE / "tools.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            k, _, v = line.partition("=")
            tools[k] = v
    if "CUOBJDUMP" not in tools:
        print("archs: no cuobjdump (tools.env); skipped")
        return []
    files = [p for p in site.rglob("*.so*") if p.is_file() and not p.is_symlink()
             and (p.stat().st_size > 4 << 20)]
    out = subprocess.run([args.mlstack, "archs", "--json", *map(str, files)],
                         capture_output=True, text=True, timeout=600)
    problems, compared = [], 0
    for entry in json.loads(out.stdout):
        if not entry["has_fatbin"] or entry["sass_entries"] + entry["ptx_entries"] == 0:
            continue
        path = pathlib.Path(entry["path"])
        counts, refused = cuobjdump_listing(tools["CUOBJDUMP"], path)
        if refused and "CUOBJDUMP_OLD" in tools:
            counts, refused = cuobjdump_listing(tools["CUOBJDUMP_OLD"], path)
        if refused:
            print(f"archs: {path.relative_to(site)}: cuobjdump refused ({refused[:80]})")
            continue
        ours = {f"sass:{a}" for a in entry["sass"]} | {f"ptx:{a}" for a in entry["ptx"]}
        total_sass = sum(v for k, v in counts.items() if k.startswith("sass:"))
        total_ptx = sum(v for k, v in counts.items() if k.startswith("ptx:"))
        compared += 1
        if ours != set(counts) or total_sass != entry["sass_entries"] or \
                total_ptx != entry["ptx_entries"]:
            problems.append(f"archs {path.relative_to(site)}: mlstack {sorted(ours)} "
                            f"({entry['sass_entries']}/{entry['ptx_entries']}), cuobjdump "
                            f"{sorted(counts)} ({total_sass}/{total_ptx})")
        else:
            print(f"archs: {path.relative_to(site)}: agree ({total_sass} cubins, {total_ptx} PTX)")
    print(f"archs: {compared} files compared with cuobjdump")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlstack", required=True)
    ap.add_argument("--fake-nvml", required=True)
    ap.add_argument("env")
    args = ap.parse_args()
    site = site_of(args.env)
    if site is None:
        print(f"{args.env}: not built (tools/real_envs/make_envs.py {args.env}); skipped")
        return SKIP
    expect = json.loads((HERE / "expect" / f"{args.env}.json").read_text())
    update = os.environ.get("MLSTACK_UPDATE_GOLDEN") == "1"
    problems = []
    for machine in MACHINES:
        code, text = run_doctor(args, site, machine, json_out=False)
        golden = HERE / "golden" / f"{args.env}-{machine}.txt"
        if update:
            golden.write_text(text)
        elif not golden.exists() or golden.read_text() != text:
            problems.append(f"{machine}: text report differs from {golden.relative_to(ROOT)}")
        code, out = run_doctor(args, site, machine, json_out=True)
        problems += check_expectations(json.loads(out), machine, code, expect)
    problems += check_archs(args, site)
    for p in problems:
        print("FAIL", p)
    print(f"{args.env}: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
