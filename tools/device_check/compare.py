#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Doctor's view of the GPU machine beside nvidia-smi's and the frameworks' own.

Reads what run.sh wrote in OUT (doctor.json, nvidia-smi.txt, frameworks.json) and prints one
line per field: `agree`, `DIFFER` or `n/a` (one side does not know), then a count.
Usage: compare.py OUT
"""
import csv
import io
import json
import os
import re
import sys

rows = []


def same(a, b):
    return str(a).strip().lower() == str(b).strip().lower()


def check(field, doctor, other, source, equal=same):
    if doctor in (None, "", []) or other in (None, "", []):
        rows.append(("n/a", field, doctor, source, other))
    else:
        rows.append(("agree" if equal(doctor, other) else "DIFFER", field, doctor, source, other))


def prefix_equal(a, b):
    """`13.0` vs `13.0.48`, `9.10.2.21` vs `9.10.2`: equal on the shorter's components."""
    pa, pb = str(a).split("+")[0].split("."), str(b).split("+")[0].split(".")
    n = min(len(pa), len(pb))
    return pa[:n] == pb[:n]


def main(out):
    doctor = json.load(open(os.path.join(out, "doctor.json")))
    smi = open(os.path.join(out, "nvidia-smi.txt")).read()
    fws = {}
    path = os.path.join(out, "frameworks.json")
    if os.path.exists(path):
        for line in open(path):
            if line.strip().startswith("{"):
                d = json.loads(line)
                fws[d["framework"]] = d
    gpu = doctor.get("gpu") or {}

    # Driver and GPUs: nvidia-smi's CSV query and its banner's "CUDA Version".
    m = re.search(r"CUDA Version:\s*([0-9.]+)", smi)
    check("gpu.cuda_driver_version", gpu.get("cuda_driver_version"), m and m.group(1), "nvidia-smi")
    header = smi.find("index, name, uuid")
    smi_rows = list(csv.DictReader(io.StringIO(smi[header:]), skipinitialspace=True)) if header >= 0 else []
    for r in smi_rows:
        if not r.get("index", "").strip().isdigit():
            continue
        i = int(r["index"])
        dev = next((d for d in gpu.get("devices", []) if d.get("index") == i), {})
        check(f"gpu[{i}].driver_version", gpu.get("driver_version"), r.get("driver_version"), "nvidia-smi")
        check(f"gpu[{i}].name", dev.get("name"), r.get("name"), "nvidia-smi")
        check(f"gpu[{i}].uuid", dev.get("uuid"), r.get("uuid"), "nvidia-smi")
        mem = re.match(r"(\d+)", r.get("memory.total [MiB]", ""))
        check(f"gpu[{i}].memory_total_mib", dev.get("memory_total_mib"), mem and int(mem.group(1)), "nvidia-smi")
        check(f"gpu[{i}].compute_capability", dev.get("compute_capability"), r.get("compute_cap"), "nvidia-smi")
        mig = r.get("mig.mode.current", "")
        check(f"gpu[{i}].mig", dev.get("mig"), {"Enabled": "enabled", "Disabled": "disabled",
                                                 "[N/A]": "unsupported"}.get(mig, mig), "nvidia-smi")

    # Frameworks: each one's own report.
    builds = {f.get("name"): f for f in doctor.get("frameworks", [])}
    libs = doctor.get("cuda_libraries", [])
    doctor_paths = {os.path.realpath(l["path"]) for l in libs if l.get("path")}
    for name, probe in sorted(fws.items()):
        b = builds.get({"onnxruntime": "onnxruntime"}.get(name, name), {})
        if "error" in probe:
            rows.append(("n/a", f"{name}.probe", None, "probe error", probe["error"].splitlines()[-1]))
        val = lambda k: (b.get(k) or {}).get("value") if isinstance(b.get(k), dict) else b.get(k)
        check(f"{name}.version", b.get("version"), probe.get("version"), name, prefix_equal)
        if name == "torch":
            check("torch.cuda", val("cuda"), probe.get("cuda"), "torch.version.cuda", prefix_equal)
            check("torch.cudnn", val("cudnn"), probe.get("cudnn"), "torch.backends.cudnn", prefix_equal)
            check("torch.nccl", val("nccl"), probe.get("nccl"), "torch.cuda.nccl", prefix_equal)
            check("torch.archs", " ".join(b.get("archs") or []), " ".join(probe.get("arch_list") or []),
                  "torch.cuda.get_arch_list")
        if name == "jax":
            check("jax.cudnn", val("cudnn"), probe.get("cudnn"), "jax cuda_versions", prefix_equal)
        if name == "cupy" and probe.get("nccl_int"):
            v = probe["nccl_int"]
            check("cupy.nccl", val("nccl"), f"{v // 10000}.{v % 10000 // 100}.{v % 100}",
                  "cupy.cuda.nccl", prefix_equal)
        if name == "onnxruntime":
            gpu_build = "CUDAExecutionProvider" in (probe.get("providers") or [])
            check("onnxruntime.gpu_build", b.get("gpu_build"), gpu_build, "get_available_providers")
        for soname, real in sorted((probe.get("mapped_libraries") or {}).items()):
            rows.append(("agree" if real in doctor_paths else "DIFFER", f"{name} loaded {soname}",
                         "listed" if real in doctor_paths else "not in cuda_libraries",
                         "/proc/self/maps", real))

    for status, field, d, source, o in rows:
        print(f"{status:6}  {field:34}  doctor={d!r}  {source}={o!r}")
    counts = {k: sum(1 for r in rows if r[0] == k) for k in ("agree", "DIFFER", "n/a")}
    print(f"{counts['agree']} agree, {counts['DIFFER']} differ, {counts['n/a']} not comparable")


if __name__ == "__main__":
    main(sys.argv[1])
