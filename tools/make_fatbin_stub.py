#!/usr/bin/env python3
"""Writes a small shared object whose `.nv_fatbin` section lists given architectures, for test
fixtures that stand in for multi-GB framework binaries (docs/frameworks.md, "Read from the
binaries").

The real wheels' binaries cannot be committed (libtorch_cuda.so is ~1 GB), and `nvcc` 13 no
longer compiles for the old architectures they hold (sm_35 .. sm_70), so the fixture's
`torch/lib/libtorch_cuda.so` is this stub: an ELF shared object built by the C compiler, with a
`.nv_fatbin` section added by `objcopy` that holds one fatbin whose entries have the real
binary's architectures (one entry per `sm_XY` cubin, one per `compute_XY` PTX) and 8-byte
empty payloads. Each entry header is laid out as nvcc writes them (kind, version 0x0101,
header size 0x40, payload size, ..., the SM number at offset 28), which is all mlstack reads.
cuobjdump refuses the stub ("Invalid ELF"): it checks the payloads, which are not cubins; the
differential tests against cuobjdump run on real libraries (tests/real) and on nvcc-built
fixtures (tests/data/elf). Strings given with --rodata go into `.rodata` (statically linked
libraries' version strings). --jax-versions CUDART CUDNN adds two local functions named like
the nanobind trampolines of JAX's `_versions` module (`...nanobind__versions_exec_impl...$_0
...__invoke`), returning the constants through `PyLong_FromLong` as the real ones do.

Usage: make_fatbin_stub.py OUT.so [--arch sm_75 ...] [--arch sm_90a ...] [--arch compute_90 ...]
       [--rodata TEXT ...] [--jax-versions CUDART_VERSION CUDNN_VERSION]
Needs: cc, objcopy (binutils).
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

MAGIC = 0xBA55ED50
KIND_PTX = 1
KIND_ELF = 2


FLAG_ARCH_SPECIFIC = 0x100000  # `sm_90a`
FLAG_FAMILY = 0x200000         # `compute_100f`


def entry(arch: str) -> bytes:
    if arch.startswith("sm_"):
        kind, number, version = KIND_ELF, arch[3:], 0x00010008
    elif arch.startswith("compute_"):
        kind, number, version = KIND_PTX, arch[8:], 0x00090000
    else:
        raise SystemExit(f"make_fatbin_stub: expected sm_XY or compute_XY, found `{arch}`")
    flags = 0x11
    if number.endswith("a"):
        flags |= FLAG_ARCH_SPECIFIC
        number = number[:-1]
    elif number.endswith("f"):
        flags |= FLAG_FAMILY
        number = number[:-1]
    if not number.isdigit():
        raise SystemExit(f"make_fatbin_stub: expected sm_XY[a|f] or compute_XY[a|f], found `{arch}`")
    payload = b"\0" * 8
    header = struct.pack("<HHIQIIIIIIQQQ", kind, 0x0101, 0x40, len(payload), len(payload), 0,
                         version, int(number), 0, 0, flags, 0, 0)
    assert len(header) == 0x40
    return header + payload


def fatbin(archs: list[str]) -> bytes:
    body = b"".join(entry(a) for a in archs)
    return struct.pack("<IHHQ", MAGIC, 1, 16, len(body)) + body


def c_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--arch", action="append", default=[])
    ap.add_argument("--rodata", action="append", default=[])
    ap.add_argument("--jax-versions", nargs=2, type=int, metavar=("CUDART", "CUDNN"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "stub.c")
        with open(src, "w") as f:
            f.write("/* mlstack test fixture: stands in for a framework's GPU binary */\n")
            for i, s in enumerate(args.rodata):
                f.write(f"__attribute__((used)) const char mlstack_rodata_{i}[] = {c_string(s)};\n")
            if args.jax_versions:
                f.write("extern void* PyLong_FromLong(long);\n")
                for i, value in enumerate(args.jax_versions):
                    name = (f"_ZZN8nanobind6detail11func_createIZN3jax4cuda12_GLOBAL__N_1"
                            f"28nanobind__versions_exec_implENS_7module_EE3${i}_{i}EE8__invoke")
                    name = name.replace(f"${i}_{i}", f"$_{i}")
                    f.write(f'static void* lambda_{i}(void) __asm__("{name}");\n'
                            f"__attribute__((used, noinline)) static void* lambda_{i}(void) "
                            f"{{ return PyLong_FromLong({value}); }}\n")
            f.write("int mlstack_stub(void) { return 0; }\n")
        so = os.path.join(tmp, "stub.so")
        strip = [] if args.jax_versions else ["-s"]
        subprocess.run(["cc", "-shared", "-fPIC", "-O0", *strip, "-o", so, src], check=True)
        if args.arch:
            blob = os.path.join(tmp, "fatbin.bin")
            with open(blob, "wb") as f:
                f.write(fatbin(args.arch))
            subprocess.run(["objcopy", "--add-section", f".nv_fatbin={blob}",
                            "--set-section-flags", ".nv_fatbin=alloc,readonly,data",
                            "--set-section-alignment", ".nv_fatbin=8", so, args.out], check=True)
        else:
            subprocess.run(["cp", so, args.out], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
