#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the framework binaries of tests/data/envs as small stubs (tools/make_fatbin_stub.py)
that carry what mlstack reads from the real ones: the architectures of their fatbins, the
version strings of statically linked libraries, JAX's build versions. The real files are up to
1 GB; the empty placeholders tools/make_framework_fixtures.py writes cannot be read as ELF.

The values were read from the real wheels on PyPI with cuobjdump 13.5 (11.8 for the sm_35/sm_37
builds), `strings`, and `objdump -d` of `_versions.so` (see docs/frameworks.md); `a` variants
of a few kernels are kept, per-kernel counts are not (one entry per architecture).
Each stub's RECORD line is rewritten with its hash and size, so RECORD describes the file.

Usage: tools/make_fixture_stubs.py   (after tools/make_framework_fixtures.py)
"""
import base64
import hashlib
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENVS = ROOT / "tests" / "data" / "envs"
STUB = ROOT / "tools" / "make_fatbin_stub.py"

# stack -> {path in site-packages: (archs, rodata strings, jax versions)}
STUBS = {
    "tf29-torch112": {
        # torch 1.12.1 (PyPI, cu102): cuobjdump 11.8 --list-elf: 2113 cubins, no PTX.
        "torch/lib/libtorch_cuda.so": (
            ["sm_35", "sm_37", "sm_50", "sm_60", "sm_61", "sm_70", "sm_75"],
            ["NCCL version 2.10.3+cuda10.2", "cudnn_version_7_6_5_32_c27521968_m0_e0"], None),
        # tensorflow 2.9.3 (cp310): 1740 cubins, 289 PTX.
        "tensorflow/python/_pywrap_tensorflow_internal.so": (
            ["sm_35", "sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "compute_80"], [], None),
    },
    "cu12-tf218-torch25": {
        # torch 2.5.1 (PyPI, cu124): 2381 cubins, no PTX.
        "torch/lib/libtorch_cuda.so": (
            ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"], [], None),
        # tensorflow 2.18.0: libtensorflow_cc.so.2 holds the kernels (1395 cubins, 278 PTX).
        "tensorflow/libtensorflow_cc.so.2": (
            ["sm_60", "sm_70", "sm_80", "sm_89", "sm_90", "compute_90"], [], None),
        "tensorflow/python/_pywrap_tensorflow_internal.so": (
            ["sm_60", "sm_70", "sm_80", "sm_89", "sm_90", "compute_90"], [], None),
        # jax-cuda12-pjrt 0.4.35: 180 cubins, 36 PTX.
        "jax_plugins/xla_cuda12/xla_cuda_plugin.so": (
            ["sm_50", "sm_60", "sm_70", "sm_80", "sm_90", "compute_90"], [], None),
        # jax-cuda12-plugin 0.4.35: CUDART_VERSION 12030, CUDNN_VERSION 90101.
        "jax_cuda12_plugin/_versions.so": ([], [], (12030, 90101)),
    },
    "cuda13-current": {
        # torch 2.15.0 (PyPI, cu132): 2981 cubins, no PTX.
        "torch/lib/libtorch_cuda.so": (
            ["sm_75", "sm_80", "sm_86", "sm_89", "sm_90", "sm_90a", "sm_100", "sm_100a", "sm_103",
             "sm_120", "sm_120a", "sm_121a"], [], None),
        # jax-cuda13-pjrt 0.12.0.1: 312 cubins, 52 PTX.
        "jax_plugins/xla_cuda13/xla_cuda_plugin.so": (
            ["sm_75", "sm_80", "sm_90", "sm_100", "sm_110", "sm_120", "compute_120"], [], None),
        # jax-cuda13-plugin 0.12.0.1: CUDART_VERSION 13000, CUDNN_VERSION 91200.
        "jax_cuda13_plugin/_versions.so": ([], [], (13000, 91200)),
        # onnxruntime-gpu 1.31.1: 2058 cubins, no PTX; only `a` code for 9.0 and 12.0.
        "onnxruntime/capi/libonnxruntime_providers_cuda.so": (
            ["sm_75", "sm_80", "sm_86", "sm_89", "sm_90a", "sm_120a"], [], None),
    },
}


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")


def rewrite_record(site: pathlib.Path, rel: str, data: bytes) -> None:
    for record in site.glob("*.dist-info/RECORD"):
        lines = record.read_text().splitlines()
        changed = False
        for i, line in enumerate(lines):
            if line.split(",")[0] == rel:
                lines[i] = f"{rel},{record_hash(data)},{len(data)}"
                changed = True
        if changed:
            record.write_text("\n".join(lines) + "\n")


def main() -> int:
    for stack, stubs in STUBS.items():
        site = ENVS / stack / "site-packages"
        for rel, (archs, rodata, jax) in stubs.items():
            out = site / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            cmd = [sys.executable, str(STUB), str(out)]
            for a in archs:
                cmd += ["--arch", a]
            for s in rodata:
                cmd += ["--rodata", s]
            if jax:
                cmd += ["--jax-versions", str(jax[0]), str(jax[1])]
            subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
            rewrite_record(site, rel, out.read_bytes())
            print(f"{stack}: {rel} ({out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
