#!/usr/bin/env python3
"""Differential test: `mlstack archs --json` against `cuobjdump --list-elf` / `--list-ptx`.

For each file (or each ELF file under a folder: *.so, *.so.*, *.o), both tools list the CUDA
device code; the SASS architectures, the PTX architectures and the number of entries of each
must be equal. cuobjdump names entries `NAME.N.sm_90a.cubin` and `NAME.N.sm_100f.ptx`; the
PTX ones are compared as `compute_90a` / `compute_100f`, as mlstack names them.

cuobjdump 13.x refuses binaries with code for removed architectures (`Support for 'sm_37'
has been removed`) and some valid libraries (`Invalid ELF`); such a file is re-run with the
older cuobjdump given by --cuobjdump-old (or $CUOBJDUMP_OLD, e.g. CUDA 11.8's), else skipped
with a note. Synthetic fixtures (tests/data/envs stubs with 8-byte payloads) are not valid
input for cuobjdump: leave them out.

Usage:
  fatbin_cuobjdump_diff.py --mlstack build/release/mlstack [--cuobjdump C] [--cuobjdump-old C]
                           [--json OUT] PATH...
Exit: 0 all agree, 1 some differ, 2 usage / tool missing.
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

LINE = re.compile(r"^(ELF|PTX) file\s+\d+: (.*)$")
ARCH = re.compile(r"\.(sm_\d+[af]?)\.(cubin|ptx)$")
# Refusals that an older cuobjdump does not share: "Support for 'sm_37' has been removed"
# (cuobjdump 12+), and "Invalid ELF" (cuobjdump 13.5 on some real libraries that CUDA 11.8's
# cuobjdump lists: onnxruntime-gpu 1.19.0's providers library, nvidia-cufile's libcufile.so.0).
RETRY_WITH_OLD = ("has been removed", "Invalid ELF")


def is_elf(path: pathlib.Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def candidates(paths):
    for p in map(pathlib.Path, paths):
        if p.is_dir():
            for q in sorted(p.rglob("*")):
                n = q.name
                if (q.is_file() and not q.is_symlink()
                        and (n.endswith(".so") or ".so." in n or n.endswith(".o"))
                        and is_elf(q)):
                    yield q
        else:
            yield p


def cuobjdump_lists(tool: str, path: pathlib.Path):
    """({sass}, {ptx}, n_sass, n_ptx, error) from `--list-elf` and `--list-ptx`."""
    sass, ptx, n_sass, n_ptx = set(), set(), 0, 0
    for flag in ("--list-elf", "--list-ptx"):
        r = subprocess.run([tool, flag, str(path)], capture_output=True, text=True)
        text = r.stdout + r.stderr
        if r.returncode != 0 and "No ELF file" not in text and "No PTX file" not in text \
                and "does not contain device code" not in text:
            return None, None, 0, 0, text.strip().splitlines()[-1] if text.strip() else "failed"
        for line in r.stdout.splitlines():
            m = LINE.match(line)
            if not m:
                continue
            a = ARCH.search(m.group(2))
            if not a:
                return None, None, 0, 0, f"unexpected cuobjdump name `{m.group(2)}`"
            if m.group(1) == "ELF":
                n_sass += 1
                sass.add(a.group(1))
            else:
                n_ptx += 1
                ptx.add(a.group(1).replace("sm_", "compute_"))
    return sass, ptx, n_sass, n_ptx, None


def arch_key(a: str):
    m = re.search(r"(\d+)([af]?)$", a)
    return (int(m.group(1)), m.group(2)) if m else (0, a)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mlstack", required=True)
    ap.add_argument("--cuobjdump", default=os.environ.get("CUOBJDUMP") or shutil.which("cuobjdump"))
    ap.add_argument("--cuobjdump-old", default=os.environ.get("CUOBJDUMP_OLD"))
    ap.add_argument("--json", help="write the per-file results here")
    ap.add_argument("--with-device-code-only", action="store_true",
                    help="leave files without device code out of the table")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    if not args.cuobjdump:
        print("no cuobjdump: pass --cuobjdump or set CUOBJDUMP", file=sys.stderr)
        return 2

    rows, differ = [], 0
    for path in candidates(args.paths):
        t0 = time.perf_counter()
        r = subprocess.run([args.mlstack, "archs", "--json", str(path)],
                           capture_output=True, text=True)
        t_ml = time.perf_counter() - t0
        if r.returncode != 0:
            rows.append({"file": str(path), "result": "mlstack-error", "note": r.stderr.strip()})
            differ += 1
            continue
        ml = json.loads(r.stdout)[0]
        tool = args.cuobjdump
        t0 = time.perf_counter()
        sass, ptx, n_sass, n_ptx, err = cuobjdump_lists(tool, path)
        if err and any(r in err for r in RETRY_WITH_OLD) and args.cuobjdump_old:
            tool = args.cuobjdump_old
            sass, ptx, n_sass, n_ptx, err = cuobjdump_lists(tool, path)
        t_cu = time.perf_counter() - t0
        row = {"file": str(path), "cuobjdump": tool,
               "mlstack": {"sass": ml["sass"], "ptx": ml["ptx"], "sass_entries": ml["sass_entries"],
                           "ptx_entries": ml["ptx_entries"], "other_entries": ml["other_entries"],
                           "problems": ml["problems"]},
               "seconds": {"mlstack": round(t_ml, 3), "cuobjdump": round(t_cu, 3)}}
        if err:
            row.update(result="skipped", note=err)
        else:
            row["reference"] = {"sass": sorted(sass, key=arch_key), "ptx": sorted(ptx, key=arch_key),
                                "sass_entries": n_sass, "ptx_entries": n_ptx}
            same = (set(ml["sass"]) == sass and set(ml["ptx"]) == ptx
                    and ml["sass_entries"] == n_sass and ml["ptx_entries"] == n_ptx
                    and not ml["problems"])
            row["result"] = "agree" if same else "DIFFER"
            differ += 0 if same else 1
        if args.with_device_code_only and row["result"] == "agree" and n_sass + n_ptx == 0:
            continue
        rows.append(row)

    for row in rows:
        m = row.get("mlstack", {})
        ref = row.get("reference", {})
        print(f"{row['result']:8} {m.get('sass_entries', '-'):>5} {m.get('ptx_entries', '-'):>4}"
              f"  {row['file']}")
        if row["result"] != "agree":
            if ref:
                print(f"         mlstack:   {m['sass']} {m['ptx']} "
                      f"({m['sass_entries']}/{m['ptx_entries']}) {m['problems']}")
                print(f"         cuobjdump: {ref['sass']} {ref['ptx']} "
                      f"({ref['sass_entries']}/{ref['ptx_entries']})")
            if row.get("note"):
                print(f"         note: {row['note']}")
    agree = sum(r["result"] == "agree" for r in rows)
    skipped = sum(r["result"] == "skipped" for r in rows)
    print(f"{len(rows)} files: {agree} agree, {differ} differ, {skipped} skipped")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
