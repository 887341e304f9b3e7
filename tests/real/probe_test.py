#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`mlstack doctor --probe --json` on a real environment (tools/real_envs/make_envs.py).

Every framework alone and every pair in both orders must import (`ok`) on this CPU machine;
each probe's versions must be the ones doctor read from the files; the first import of a pair
must map what that framework mapped alone (one process state, one answer); torch must map the
CUDA runtime, cuDNN and NCCL of its nvidia-* wheels (its import preloads them, GPU or not);
no framework may list a device here; the report must be valid against docs/doctor.schema.json
(when jsonschema is installed). Exits 77 (ctest SKIP) when the environment has not been built.

Usage: probe_test.py --mlstack BIN ENV
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SKIP = 77
CACHE = pathlib.Path(os.environ.get("MLSTACK_REAL_ENVS",
                                    pathlib.Path.home() / ".cache" / "mlstack" / "real-envs"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mlstack", required=True)
    parser.add_argument("env")
    args = parser.parse_args()
    python = CACHE / args.env / "venv" / "bin" / "python"
    if not python.exists() or not (CACHE / args.env / ".stamp").exists():
        print(f"skipped: {python} has not been built (make test-real)")
        return SKIP
    run = subprocess.run([args.mlstack, "doctor", "--python", str(python), "--probe", "--json",
                          "--no-gpu"], capture_output=True, text=True, check=False)
    if run.returncode not in (0, 1):
        print(run.stderr)
        print(f"FAIL: doctor --probe exited {run.returncode}")
        return 1
    report = json.loads(run.stdout)
    failures = []
    probes = report.get("probes")
    if probes is None:
        print("FAIL: no `probes` in the report")
        return 1
    frameworks = {f["name"]: f["version"] for f in report.get("frameworks", [])}
    results = probes["results"]
    n = len(frameworks)
    if len(results) != n * n:
        failures.append(f"{len(results)} probes for {n} frameworks, expected {n * n}")
    alone = {r["order"][0]: r for r in results if len(r["order"]) == 1}
    for r in results:
        name = "->".join(r["order"])
        print(f"{name:28} {r['status']:12} wall {r['wall_s']:7.2f} s  cpu {r['cpu_s']:6.2f} s  "
              f"mapped {len(r['mapped'])}")
        if r["status"] != "ok":
            failures.append(f"{name}: {r['status']}: {r['error']}\n{r['stderr_tail']}")
            continue
        for framework in r["order"]:
            got = r["versions"].get(framework)
            if got is None or frameworks.get(framework) is None or \
                    not got.startswith(frameworks[framework]):
                failures.append(f"{name}: {framework} {got}, doctor read "
                                f"{frameworks.get(framework)}")
        for framework, devices in r["devices"].items():
            if devices:
                failures.append(f"{name}: {framework} lists devices on a CPU machine: {devices}")
        first = alone.get(r["order"][0])
        if len(r["order"]) == 2 and first is not None and first["status"] == "ok" and \
                first["imports"][0]["mapped_new"] != r["imports"][0]["mapped_new"]:
            failures.append(f"{name}: its first import mapped other files than "
                            f"{r['order'][0]} alone")
    torch = alone.get("torch")
    if torch is not None and torch["status"] == "ok":
        wanted = ["/nvidia/", "libcudart.so.", "libcudnn.so.", "libnccl.so."]
        for soname in wanted[1:]:
            if not any(soname in p and wanted[0] in p for p in torch["mapped"]):
                failures.append(f"torch alone did not map an nvidia-* wheel's {soname}")
    try:
        import jsonschema
    except ImportError:
        print("schema not checked (no jsonschema module: python3-jsonschema)")
    else:
        schema = json.loads((ROOT / "docs" / "doctor.schema.json").read_text())
        for error in jsonschema.Draft202012Validator(schema).iter_errors(report):
            failures.append(f"schema: {error.json_path}: {error.message}")
    print(f"{len(results)} probes, {probes['jobs']} at once: wall {probes['wall_s']} s, "
          f"cpu {probes['cpu_s']} s")
    for f in failures:
        print(f"FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
