#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the reference vectors of tests/unit/tags from pip's own get_supported().

Run with the reference interpreter (pip 26.3, tools/requirements-ref.txt):

    /opt/refvenv/bin/python tools/gen_tags_vectors.py

- tests/data/tags/local.json: {"facts": <src/mlstack/tags/tag_facts_probe.py run by this
  interpreter>, "supported": [str(t) for t in get_supported()]}, unpatched.
- tests/data/tags/synthetic.json: [{"name", "facts", "supported"}, ...] for machines unlike
  this one. For each case, everything packaging reads from the running process (sys,
  sysconfig, platform, glibc, musl, the ELF header, the `_manylinux` module) is patched to
  answer from the case's facts, and pip's get_supported() runs unmodified.

As a check of the probe, the local facts are also fed through the patched path and must give
the unpatched answer.
"""
from __future__ import annotations

import contextlib
import json
import pathlib
import subprocess
import sys
import types
from unittest import mock

from pip._internal.utils import compatibility_tags
from pip._vendor.packaging import _manylinux, _musllinux, tags

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROBE = ROOT / "src" / "mlstack" / "tags" / "tag_facts_probe.py"
OUT = ROOT / "tests" / "data" / "tags"
LONG_NAMES = {"cp": "cpython", "pp": "pypy", "ip": "ironpython", "jy": "jython", "py": "python"}


def probe_local() -> dict:
    out = subprocess.run([sys.executable, "-I", "-S", "-c", PROBE.read_text()], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


@contextlib.contextmanager
def patched(f: dict):
    """Makes packaging see the interpreter that `f` (TagFacts as JSON) describes."""
    config = {
        "py_version_nodot": f["interpreter_version"],
        "Py_DEBUG": int(f["py_debug"]),
        "Py_GIL_DISABLED": int(f["gil_disabled"]),
        "WITH_PYMALLOC": int(f["with_pymalloc"]),
        "EXT_SUFFIX": f["ext_suffix"],
        "SOABI": f["soabi"],
        "PYEMSCRIPTEN_PLATFORM_VERSION": f["emscripten_platform_version"] or None,
    }
    fake_sys = types.SimpleNamespace(
        version_info=(*f["python_version"], 0, "final", 0),
        executable="/nonexistent/python",
        maxunicode=0x10FFFF,
        implementation=types.SimpleNamespace(
            name=LONG_NAMES.get(f["interpreter_name"], f["interpreter_name"]),
            _multiarch=f["multiarch"]),
    )
    fake_platform = types.SimpleNamespace(
        system=lambda: f["system"],
        mac_ver=lambda: (f["mac_version"], ("", "", ""), f["mac_arch"]),
        ios_ver=lambda: ("iOS", f["ios_version"], "iPhone", False),
        android_ver=lambda: types.SimpleNamespace(api_level=f["android_api_level"]),
    )
    fake_sysconfig = types.SimpleNamespace(get_platform=lambda: f["platform"],
                                           get_config_var=config.get)
    glibc = (_manylinux._parse_glibc_version(f["glibc_version"]) if f["glibc_version"]
             else _manylinux._GLibCVersion(-1, -1))
    musl = (_musllinux._MuslVersion(*map(int, f["musl_version"].split(".")))
            if f["musl_version"] else None)
    manylinux_module = None
    if f["manylinux_incompatible"]:
        vetoed = set(f["manylinux_incompatible"])
        manylinux_module = types.SimpleNamespace(
            manylinux_compatible=lambda major, minor, arch:
            False if f"manylinux_{major}_{minor}_{arch}" in vetoed else None)
    with contextlib.ExitStack() as stack:
        enter = stack.enter_context
        enter(mock.patch.object(tags, "sys", fake_sys))
        enter(mock.patch.object(tags, "platform", fake_platform))
        enter(mock.patch.object(tags, "sysconfig", fake_sysconfig))
        enter(mock.patch.object(tags, "_get_config_var",
                                lambda name, warn=False: config.get(name)))
        # The 32-bit flag is bound as a default argument when packaging is imported.
        enter(mock.patch.object(tags._linux_platforms, "__defaults__", (f["is_32bit"],)))
        enter(mock.patch.object(tags._mac_arch, "__defaults__", (f["is_32bit"],)))
        enter(mock.patch.object(_manylinux, "_get_glibc_version", lambda: glibc))
        enter(mock.patch.object(_manylinux, "_is_linux_armhf", lambda exe: f["elf_armhf"]))
        enter(mock.patch.object(_manylinux, "_is_linux_i686", lambda exe: f["elf_i686"]))
        enter(mock.patch.object(_manylinux, "_get_manylinux_module", lambda: manylinux_module))
        enter(mock.patch.object(_musllinux, "_get_musl_version", lambda exe: musl))
        # pip imported interpreter_name by name.
        enter(mock.patch.object(compatibility_tags, "interpreter_name", tags.interpreter_name))
        yield


def supported(f: dict | None = None) -> list[str]:
    if f is None:
        return [str(t) for t in compatibility_tags.get_supported()]
    with patched(f):
        return [str(t) for t in compatibility_tags.get_supported()]


def facts(**changes) -> dict:
    """A CPython 3.12 on x86_64 glibc 2.17 Linux, with `changes` applied."""
    base = {
        "interpreter_name": "cp", "interpreter_version": "312", "python_version": [3, 12],
        "soabi": "cpython-312-x86_64-linux-gnu",
        "ext_suffix": ".cpython-312-x86_64-linux-gnu.so", "py_debug": False,
        "gil_disabled": False, "platform": "linux-x86_64", "glibc_version": "2.17",
        "is_32bit": False, "system": "Linux", "with_pymalloc": True, "musl_version": "",
        "elf_armhf": False, "elf_i686": False, "manylinux_incompatible": [],
        "mac_version": "", "mac_arch": "", "ios_version": "", "multiarch": "",
        "android_api_level": 0, "emscripten_platform_version": "",
    }
    assert set(changes) <= set(base), set(changes) - set(base)
    return {**base, **changes}


def cp(version: str, **changes) -> dict:
    """CPython `version` such as "3.13", with the ABI parts of the facts to match."""
    major, minor = map(int, version.split("."))
    nodot = f"{major}{minor}"
    flags = ("t" if changes.get("gil_disabled") else "") + ("d" if changes.get("py_debug") else "")
    arch = changes.get("platform", "linux-x86_64").split("-", 1)[1]
    return facts(interpreter_version=nodot, python_version=[major, minor],
                 soabi=f"cpython-{nodot}{flags}-{arch}-linux-gnu",
                 ext_suffix=f".cpython-{nodot}{flags}-{arch}-linux-gnu.so", **changes)


SYNTHETIC = {
    "cp38-glibc2.17-x86_64": cp("3.8"),
    "cp37m-glibc2.17-x86_64": cp("3.7"),
    "cp37-no-pymalloc": cp("3.7", with_pymalloc=False),
    "cp312-glibc2.39-x86_64": cp("3.12", glibc_version="2.39"),
    "cp313t-glibc2.39-aarch64": cp("3.13", gil_disabled=True, glibc_version="2.39",
                                    platform="linux-aarch64"),
    "cp314-debug-glibc2.39": cp("3.14", py_debug=True, glibc_version="2.39"),
    "cp314td-glibc2.39": cp("3.14", py_debug=True, gil_disabled=True, glibc_version="2.39"),
    "cp312-musl1.2-x86_64": cp("3.12", glibc_version="", musl_version="1.2"),
    "cp311-musl1.1-aarch64": cp("3.11", glibc_version="", musl_version="1.1",
                                 platform="linux-aarch64"),
    "cp311-i686-on-x86_64": cp("3.11", is_32bit=True, elf_i686=True, glibc_version="2.28"),
    "cp311-i686-not-elf": cp("3.11", is_32bit=True, glibc_version="2.28"),
    "cp310-armv8l-armhf": cp("3.10", platform="linux-aarch64", is_32bit=True, elf_armhf=True,
                             glibc_version="2.31"),
    "cp310-armv7l-softfloat": cp("3.10", platform="linux-armv7l", is_32bit=True,
                                 glibc_version="2.31"),
    "cp312-riscv64": cp("3.12", platform="linux-riscv64", glibc_version="2.35"),
    "cp312-mips64-no-manylinux": cp("3.12", platform="linux-mips64", glibc_version="2.35"),
    "cp312-glibc-unknown": cp("3.12", glibc_version=""),
    "cp312-glibc-linaro": cp("3.12", glibc_version="2.20-2014.11"),
    "cp312-glibc3.1": cp("3.12", glibc_version="3.1"),
    "cp312-manylinux-module-veto": cp("3.12", glibc_version="2.28", manylinux_incompatible=[
        "manylinux_2_5_x86_64", "manylinux_2_12_x86_64", "manylinux_2_27_x86_64"]),
    "pp310-glibc2.31": facts(interpreter_name="pp", interpreter_version="310",
                             python_version=[3, 10], soabi="pypy310-pp73-x86_64-linux-gnu",
                             ext_suffix=".pypy310-pp73-x86_64-linux-gnu.so",
                             glibc_version="2.31"),
    "graalpy311": facts(interpreter_name="graalpy", interpreter_version="311",
                        python_version=[3, 11], soabi="graalpy240-311-native-x86_64-linux",
                        ext_suffix=".graalpy240-311-native-x86_64-linux.so",
                        glibc_version="2.35"),
    "cp312-macos14-arm64": cp("3.12", system="Darwin", platform="macosx-11.0-arm64",
                              glibc_version="", mac_version="14.2", mac_arch="arm64"),
    "cp39-macos10.15-x86_64": cp("3.9", system="Darwin", platform="macosx-10.9-x86_64",
                                 glibc_version="", mac_version="10.15.7", mac_arch="x86_64"),
    "cp311-macos13-x86_64": cp("3.11", system="Darwin", platform="macosx-10.9-universal2",
                               glibc_version="", mac_version="13.0", mac_arch="x86_64"),
    "cp312-win_amd64": facts(system="Windows", platform="win-amd64", glibc_version="",
                             soabi="", ext_suffix=".cp312-win_amd64.pyd"),
    "cp313-ios17.2": cp("3.13", system="iOS", platform="ios-17.2-arm64-iphoneos",
                        glibc_version="", ios_version="17.2", multiarch="arm64-iphoneos"),
    "cp313-android24": cp("3.13", system="Android", platform="android-24-arm64_v8a",
                          glibc_version="", android_api_level=24),
    "cp313-emscripten": cp("3.13", system="Emscripten", platform="emscripten-3.1.58-wasm32",
                           glibc_version="", emscripten_platform_version="2025_0"),
}


def write(name: str, value) -> None:
    (OUT / name).write_text(json.dumps(value, indent=1) + "\n")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    local_facts = probe_local()
    local = supported()
    if supported(local_facts) != local:
        print("probe facts do not reproduce get_supported() on this machine", file=sys.stderr)
        return 1
    write("local.json", {"facts": local_facts, "supported": local})
    cases = [{"name": name, "facts": f, "supported": supported(f)}
             for name, f in SYNTHETIC.items()]
    write("synthetic.json", cases)
    print(f"local: {len(local)} tags; synthetic: {len(cases)} cases, "
          f"{sum(len(c['supported']) for c in cases)} tags")
    return 0


if __name__ == "__main__":
    sys.exit(main())
