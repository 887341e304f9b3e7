#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Doctor on real environments installed from PyPI (tools/real_envs/make_envs.py).

For one environment, under each fake-NVML machine (tests/data/nvml: H200, A100 and T4 on driver
580, CUDA 13.0):
  - `mlstack doctor --site SITE --json` must show the facts and findings of
    tests/real/expect/<env>.json (what the binaries and the frameworks say; format below);
  - `mlstack doctor --site SITE` (text) must equal tests/real/golden/<env>-<machine>.txt, the
    site folder written `[SITE]` (MLSTACK_UPDATE_GOLDEN=1 rewrites the goldens);
  - `mlstack archs --json` on every shared object of the environment: the files with a
    `.nv_fatbin` section (read here from the ELF section headers) must be the ones it reports,
    and for each, the SASS and PTX sets and entry counts must be what cuobjdump lists (the
    CUDA 13 cuobjdump; 11.8 where CUDA 13 refuses a file: sm_35-era builds, libcufile.so.0).
    Skipped when the `archs` subcommand or cuobjdump (tools.env in the cache) is missing.
  - the JSON report must be valid against docs/doctor.schema.json (when jsonschema is installed);
  - for an environment with an interpreter (a venv), `doctor --root / --python VENV/bin/python`
    (read from the files, as an image is) must report what the interpreter's report does;
  - for an environment with an interpreter (a venv), the loader table of `mlstack doctor
    --python VENV/bin/python` (what each import order maps, predicted; issue 10) must equal
    tests/real/golden/<env>-loader.txt, the site folder written `[SITE]`.
Exits 77 (ctest SKIP) when the environment has not been built.

Expectation file (JSON), every key optional:
  "frameworks": {NAME: {FIELD: VALUE}}  FIELD is dotted into the framework's JSON object; a list
      element is picked by index (`gpu_code.0.sass_entries`) or by a key's value
      (`libraries[library=cudnn].version.value`). A missing field reads as null.
  "findings": {"all" | MACHINE: {"present": [[ID, SUBJECT(, SEVERITY)]], "absent": [[ID, SUBJECT]],
      "exit_code": N}}  SUBJECT is a substring of the finding's joined subjects ("" = any).
  "fix_contains" / "fix_not_contains": {"all" | MACHINE: [[ID, TEXT]]}  some / no finding ID has a
      fix containing TEXT.
  "summary": {"all" | MACHINE: {"errors": N, ...}}
  "pending": {the same keys}  facts that are true (see "_about") but that doctor does not report
      yet: printed as PENDING, not failures; an assertion there that holds is printed as
      NOW-PASSING (move it up). The lead moves them up as doctor learns them.

Usage: real_env_test.py --mlstack BIN --fake-nvml LIB [--machines h200-580,...] [--no-archs] ENV
"""
import argparse
import collections
import json
import os
import pathlib
import re
import struct
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DATA = ROOT / "tests" / "data"
MACHINES = ["h200-580", "a100-580", "t4-580"]
SKIP = 77
CACHE = pathlib.Path(os.environ.get("MLSTACK_REAL_ENVS",
                                    pathlib.Path.home() / ".cache" / "mlstack" / "real-envs"))
SO_NAME = re.compile(r"\.so(\.\d+)*$")


def site_of(env: str) -> pathlib.Path | None:
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "real_envs" / "make_envs.py"),
                          "--path", env], capture_output=True, text=True, check=True)
    site = pathlib.Path(out.stdout.strip())
    stamp = CACHE / env / ".stamp"
    return site if site.is_dir() and stamp.exists() else None


def python_version(site: pathlib.Path) -> str:
    m = re.search(r"python(\d+\.\d+)", str(site))
    return m.group(1) if m else "3.10"  # the seed folder is for CPython 3.10


def scrub(text: str, site: pathlib.Path, fake_nvml: str) -> str:
    """Machine-independent text: the site folder, the cache and the fake NVML get names."""
    text = text.replace(str(site), "[SITE]").replace(fake_nvml, "[FAKE_NVML]")
    return text.replace(str(CACHE), "[CACHE]")


def run_doctor(args, site: pathlib.Path, machine: str, json_out: bool,
               cache: pathlib.Path) -> tuple[int, str]:
    fixture = json.loads((DATA / "nvml" / f"{machine}.json").read_text())
    # The text report wraps to 100 columns: the site is reached through a link whose path has
    # the same length on every machine (/tmp/mlstack-real-XXXXXXXX/site).
    with tempfile.TemporaryDirectory(prefix="mlstack-real-", dir="/tmp") as tmp:
        link = pathlib.Path(tmp) / "site"
        link.symlink_to(site)
        for path, text in fixture.get("files", {}).items():
            f = pathlib.Path(tmp) / "fs" / path.lstrip("/")
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(text)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("MLSTACK_", "CUDA_", "TF_", "XLA_", "PYTORCH_"))
               and k not in ("LD_LIBRARY_PATH", "CUDA_HOME", "CUDA_PATH")}
        env.update({"NO_COLOR": "1", "XDG_CACHE_HOME": str(cache),
                    "MLSTACK_FAKE_NVML_JSON": str(DATA / "nvml" / f"{machine}.json"),
                    "MLSTACK_SYSFS_ROOT": str(pathlib.Path(tmp) / "fs")})
        cmd = [args.mlstack, "doctor", "--site", str(link), "--python-version",
               python_version(site), "--nvml-library", args.fake_nvml]
        if json_out:
            cmd.append("--json")
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
        if p.stderr.strip():
            print(f"{machine}: doctor stderr: {p.stderr.strip()[:500]}")
        return p.returncode, scrub(p.stdout.replace(str(link), str(site)), site, args.fake_nvml)


def get(obj, dotted: str):
    """`a.b.0.c` or `a[key=value].c` into nested JSON; None when a step is missing."""
    for part in re.findall(r"[^.\[\]]+|\[[^\]]*\]", dotted):
        if obj is None:
            return None
        if part.startswith("["):
            key, _, value = part[1:-1].partition("=")
            obj = next((x for x in obj if isinstance(x, dict) and str(x.get(key)) == value),
                       None)
        elif isinstance(obj, list):
            obj = obj[int(part)] if part.isdigit() and int(part) < len(obj) else None
        else:
            obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def schema_problems(report: dict, machine: str) -> list[str]:
    """The report against docs/doctor.schema.json (tests/cli/validate_schema.py checks the
    goldens; this checks the real environments' reports), when jsonschema is installed."""
    try:
        import jsonschema
    except ImportError:
        print(f"{machine}: schema not checked (no jsonschema module: python3-jsonschema)")
        return []
    schema = json.loads((ROOT / "docs" / "doctor.schema.json").read_text())
    errors = jsonschema.Draft202012Validator(schema).iter_errors(report)
    return [f"{machine}: schema: /{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
            for e in list(errors)[:5]]


def for_machine(section: dict, machine: str) -> list:
    return section.get("all", []) + section.get(machine, [])


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
    found = [(f["id"], " ".join(f["subjects"]), f.get("severity", "")) for f in report["findings"]]
    rules = expect.get("findings", {})
    for key in ("all", machine):
        for want in rules.get(key, {}).get("present", []):
            hits = [f for f in found if f[0] == want[0] and want[1] in f[1]]
            if not hits:
                problems.append(f"{machine}: finding {want[0]} about {want[1]!r} missing")
            elif len(want) > 2 and not any(f[2] == want[2] for f in hits):
                problems.append(f"{machine}: finding {want[0]} about {want[1]!r} is "
                                f"{hits[0][2]}, expected {want[2]}")
        for want in rules.get(key, {}).get("absent", []):
            if any(i == want[0] and want[1] in s for i, s, _ in found):
                problems.append(f"{machine}: finding {want[0]} about {want[1]!r} is false")
    want_code = rules.get(machine, {}).get("exit_code", rules.get("all", {}).get("exit_code"))
    if want_code is not None and code != want_code:
        problems.append(f"{machine}: exit code {code}, expected {want_code}")
    for want in for_machine(expect.get("fix_contains", {}), machine):
        if not any(f["id"] == want[0] and want[1] in (f["fix"] or "")
                   for f in report["findings"]):
            problems.append(f"{machine}: no {want[0]} fix contains {want[1]!r}")
    for want in for_machine(expect.get("fix_not_contains", {}), machine):
        for f in report["findings"]:
            if f["id"] == want[0] and want[1] in (f["fix"] or ""):
                problems.append(f"{machine}: {want[0]} fix contains {want[1]!r}: {f['fix']!r}")
    summary = expect.get("summary", {})
    for key in ("all", machine):
        for field, want in summary.get(key, {}).items():
            if report["summary"].get(field) != want:
                problems.append(f"{machine}: summary.{field} is {report['summary'].get(field)}, "
                                f"expected {want}")
    return problems


def describe_passing(report, machine, code, pending: dict) -> list[str]:
    """The pending assertions that hold now, one line each (checked one at a time)."""
    passing = []
    for name, fields in pending.get("frameworks", {}).items():
        for field, want in fields.items():
            one = {"frameworks": {name: {field: want}}}
            if not check_expectations(report, machine, code, one):
                passing.append(f"{machine}: {name}.{field} == {want!r}")
    for key in ("all", machine):
        rules = pending.get("findings", {}).get(key, {})
        for kind in ("present", "absent"):
            for want in rules.get(kind, []):
                one = {"findings": {key: {kind: [want]}}}
                if not check_expectations(report, machine, code, one):
                    passing.append(f"{machine}: finding {kind} {want}")
    for section in ("fix_contains", "fix_not_contains"):
        for key in ("all", machine):
            for want in pending.get(section, {}).get(key, []):
                if not check_expectations(report, machine, code, {section: {key: [want]}}):
                    passing.append(f"{machine}: {section} {want}")
    return passing


def has_nv_fatbin(path: pathlib.Path) -> bool:
    """Whether a 64-bit little-endian ELF file has a `.nv_fatbin` section (headers only)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
            return False
        shoff = struct.unpack_from("<Q", head, 0x28)[0]
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", head, 0x3a)
        if shoff == 0 or shnum == 0 or shstrndx >= shnum:
            return False
        f.seek(shoff)
        table = f.read(shentsize * shnum)
        if len(table) < shentsize * shnum:
            return False
        str_off, str_size = struct.unpack_from("<QQ", table, shstrndx * shentsize + 0x18)
        f.seek(str_off)
        names = f.read(str_size)
        for i in range(shnum):
            name = struct.unpack_from("<I", table, i * shentsize)[0]
            if names[name:name + 11] == b".nv_fatbin\0":
                return True
    return False


def cuobjdump_listing(tool: str, path: pathlib.Path) -> tuple[collections.Counter, str]:
    """{"sass:sm_80": cubins, "ptx:compute_90": PTX entries} from --list-elf / --list-ptx."""
    counts = collections.Counter()
    for flag, kind in (("--list-elf", "sass"), ("--list-ptx", "ptx")):
        p = subprocess.run([tool, flag, str(path)], capture_output=True, text=True, timeout=600)
        if "fatal" in p.stderr or p.returncode != 0:
            return counts, (p.stderr.strip() or f"exit {p.returncode}")
        for line in p.stdout.splitlines():
            m = re.match(r"(ELF|PTX) file\s+\d+: .*\.(sm_\w+)\.(cubin|ptx)$", line)
            if m:
                arch = m.group(2)
                counts[f"{kind}:{arch if kind == 'sass' else 'compute_' + arch[3:]}"] += 1
    return counts, ""


def read_tools() -> dict:
    tools = {}
    env_file = CACHE / "tools.env"
    if env_file.exists():
        for line in env_file.read_text().splitlines():
            k, _, v = line.partition("=")
            if v and pathlib.Path(v).exists():
                tools[k] = v
    return tools


def check_archs(args, site: pathlib.Path) -> list[str]:
    tools = read_tools()
    if "CUOBJDUMP" not in tools:
        print("archs: no cuobjdump (tools.env in the cache); skipped")
        return []
    probe = subprocess.run([args.mlstack, "archs", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        print("archs: this mlstack has no `archs` subcommand; skipped")
        return []
    files = sorted(p for p in site.rglob("*") if SO_NAME.search(p.name) and p.is_file()
                   and not p.is_symlink())
    with_fatbin = {p for p in files if has_nv_fatbin(p)}
    started = time.monotonic()
    out = subprocess.run([args.mlstack, "archs", "--json", *map(str, files)],
                         capture_output=True, text=True, timeout=600)
    ours_seconds = time.monotonic() - started
    try:
        entries = json.loads(out.stdout)
    except json.JSONDecodeError:
        return [f"archs: mlstack archs --json printed no JSON (exit {out.returncode}): "
                f"{out.stderr.strip()[:300]}"]
    problems, compared, refused_files, theirs_seconds = [], 0, [], 0.0
    reported = {pathlib.Path(e["path"]) for e in entries if e["has_fatbin"]}
    for p in sorted(with_fatbin ^ reported):
        problems.append(f"archs {p.relative_to(site)}: .nv_fatbin section "
                        f"{'present' if p in with_fatbin else 'absent'}, mlstack has_fatbin "
                        f"{'true' if p in reported else 'false'}")
    for entry in entries:
        if not entry["has_fatbin"]:
            continue
        path = pathlib.Path(entry["path"])
        rel = path.relative_to(site)
        started = time.monotonic()
        counts, refused = cuobjdump_listing(tools["CUOBJDUMP"], path)
        if refused and "CUOBJDUMP_OLD" in tools:
            # 13.x refuses sm_35-era builds, and calls CUDA 13's own libcufile.so.0 an
            # "Invalid ELF" that 11.8 lists fine.
            counts, refused = cuobjdump_listing(tools["CUOBJDUMP_OLD"], path)
        theirs_seconds += time.monotonic() - started
        if refused:
            refused_files.append(str(rel))
            print(f"archs: {rel}: cuobjdump refused ({refused.splitlines()[0][:100]}); "
                  f"mlstack: {entry['sass']} {entry['ptx']} problems {entry['problems']}")
            continue
        ours = {f"sass:{a}" for a in entry["sass"]} | {f"ptx:{a}" for a in entry["ptx"]}
        total_sass = sum(v for k, v in counts.items() if k.startswith("sass:"))
        total_ptx = sum(v for k, v in counts.items() if k.startswith("ptx:"))
        compared += 1
        if ours != set(counts) or total_sass != entry["sass_entries"] or \
                total_ptx != entry["ptx_entries"]:
            problems.append(f"archs {rel}: mlstack {sorted(ours)} "
                            f"({entry['sass_entries']}/{entry['ptx_entries']}), cuobjdump "
                            f"{sorted(counts)} ({total_sass}/{total_ptx})")
        else:
            print(f"archs: {rel}: agree ({total_sass} cubins, {total_ptx} PTX: "
                  + " ".join(f"{k.split(':')[1]}x{v}" for k, v in sorted(counts.items())) + ")")
    print(f"archs: {compared} files agree-checked with cuobjdump ({len(refused_files)} refused); "
          f"{len(files)} shared objects, {len(with_fatbin)} with .nv_fatbin; mlstack archs "
          f"{ours_seconds:.2f} s for all, cuobjdump {theirs_seconds:.1f} s")
    return problems


def loader_table(args, site: pathlib.Path, cache: pathlib.Path) -> str | None:
    """The text report's loader section for the venv's own interpreter; None without one."""
    python = site.parents[2] / "bin" / "python"
    if not python.exists():
        return None
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MLSTACK_", "CUDA_", "TF_", "XLA_", "PYTORCH_"))
           and k not in ("LD_LIBRARY_PATH", "CUDA_HOME", "CUDA_PATH")}
    env.update({"NO_COLOR": "1", "XDG_CACHE_HOME": str(cache)})
    p = subprocess.run([args.mlstack, "doctor", "--python", str(python), "--no-gpu",
                        "--color", "never"], capture_output=True, text=True, env=env,
                       timeout=300)
    lines = p.stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Loader (")), None)
    if start is None:
        return "no loader section in the report\n"
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return scrub("\n".join(lines[start:end]) + "\n", site, args.fake_nvml)


def root_differs(args, site: pathlib.Path, cache: pathlib.Path) -> list[str]:
    """`doctor --root / --python VENV/bin/python` (the environment read from its files, as in an
    image) must report what `doctor --python VENV/bin/python` (the interpreter asked) reports:
    the same distributions, frameworks, CUDA libraries and findings, and the same sys.path and
    exact Python version. Only the kernel's markers (platform_release, platform_version) and
    the loader's folders from `ld.so --help` may differ."""
    python = site.parents[2] / "bin" / "python"
    if not python.exists():
        return []
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MLSTACK_", "CUDA_", "TF_", "XLA_", "PYTORCH_"))
           and k not in ("LD_LIBRARY_PATH", "CUDA_HOME", "CUDA_PATH")}
    env.update({"NO_COLOR": "1", "XDG_CACHE_HOME": str(cache)})
    reports = []
    for extra in ([], ["--root", "/"]):
        p = subprocess.run([args.mlstack, "doctor", "--json", "--no-gpu", "--python", str(python)]
                           + extra, capture_output=True, text=True, env=env, timeout=300)
        reports.append(json.loads(p.stdout))
    asked, read = reports
    problems = []
    for key in ("distributions", "frameworks", "cuda_libraries"):
        if asked.get(key) != read.get(key):
            problems.append(f"--root /: `{key}` differs from the interpreter's report")
    for key in ("version", "sys_path", "site_dirs", "prefix", "in_virtualenv"):
        if asked["python"][key] != read["python"][key]:
            problems.append(f"--root /: python.{key} is {read['python'][key]!r}, the "
                            f"interpreter says {asked['python'][key]!r}")
    kernel = ("platform_release", "platform_version")
    for k, v in asked["python"]["markers"].items():
        if k not in kernel and read["python"]["markers"].get(k) != v:
            problems.append(f"--root /: marker {k} is {read['python']['markers'].get(k)!r}, "
                            f"the interpreter says {v!r}")
    key = lambda f: (f["id"], f["title"])  # noqa: E731
    if sorted(map(key, asked["findings"])) != sorted(map(key, read["findings"])):
        problems.append("--root /: the findings differ from the interpreter's report")
    return problems


def compare_golden(golden: pathlib.Path, text: str, update: bool, what: str) -> list[str]:
    if update:
        golden.write_text(text)
        return []
    if not golden.exists():
        return [f"{what}: no golden {golden.relative_to(ROOT)} (MLSTACK_UPDATE_GOLDEN=1 writes it)"]
    if golden.read_text() == text:
        return []
    old, new = golden.read_text().splitlines(), text.splitlines()
    first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    return [f"{what}: differs from {golden.relative_to(ROOT)} from line {first + 1}:\n  golden: "
            f"{old[first] if first < len(old) else '<end>'}\n  now:    "
            f"{new[first] if first < len(new) else '<end>'}"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlstack", required=True)
    ap.add_argument("--fake-nvml", required=True)
    ap.add_argument("--machines", default=",".join(MACHINES))
    ap.add_argument("--no-archs", action="store_true", help="skip the cuobjdump comparison")
    ap.add_argument("env")
    args = ap.parse_args()
    args.mlstack = str(pathlib.Path(args.mlstack).resolve())
    args.fake_nvml = str(pathlib.Path(args.fake_nvml).resolve())
    site = site_of(args.env)
    if site is None:
        print(f"{args.env}: not built (tools/real_envs/make_envs.py {args.env}); skipped")
        return SKIP
    expect = json.loads((HERE / "expect" / f"{args.env}.json").read_text())
    update = os.environ.get("MLSTACK_UPDATE_GOLDEN") == "1"
    problems = []
    # One cache folder for the whole test: the first report is made cold, every later one
    # with the file-facts cache it left (fatbin indexes, RECORD summaries, ...); the goldens
    # hold for both, and the first machine's report is made twice to compare them directly.
    cache_dir = tempfile.TemporaryDirectory(prefix="mlstack-real-cache-")
    cache = pathlib.Path(cache_dir.name)
    for n, machine in enumerate(args.machines.split(",")):
        code, text = run_doctor(args, site, machine, json_out=False, cache=cache)
        if n == 0:
            warm_code, warm = run_doctor(args, site, machine, json_out=False, cache=cache)
            if (warm_code, warm) != (code, text):
                problems.append(f"{machine}: the text report with a warm cache differs from "
                                "the cold one")
        golden = HERE / "golden" / f"{args.env}-{machine}.txt"
        if update:
            golden.write_text(text)
        elif not golden.exists():
            problems.append(f"{machine}: no golden {golden.relative_to(ROOT)} "
                            "(MLSTACK_UPDATE_GOLDEN=1 writes it)")
        elif golden.read_text() != text:
            old, new = golden.read_text().splitlines(), text.splitlines()
            first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b),
                         min(len(old), len(new)))
            problems.append(f"{machine}: text report differs from {golden.relative_to(ROOT)} "
                            f"from line {first + 1}:\n  golden: "
                            f"{old[first] if first < len(old) else '<end>'}\n  now:    "
                            f"{new[first] if first < len(new) else '<end>'}")
        code, out = run_doctor(args, site, machine, json_out=True, cache=cache)
        report = json.loads(out)
        problems += schema_problems(report, machine)
        problems += check_expectations(report, machine, code, expect)
        if "pending" in expect:
            pending = check_expectations(report, machine, code, expect["pending"])
            for p in pending:
                print("PENDING", p)
            for line in describe_passing(report, machine, code, expect["pending"]):
                print("NOW-PASSING", line)
    problems += root_differs(args, site, cache)
    table = loader_table(args, site, cache)
    if table is not None:
        problems += compare_golden(HERE / "golden" / f"{args.env}-loader.txt", table, update,
                                   "loader table")
    cache_dir.cleanup()
    if not args.no_archs:
        problems += check_archs(args, site)
    for p in problems:
        print("FAIL", p)
    print(f"{args.env}: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
