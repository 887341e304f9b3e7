# SPDX-License-Identifier: MIT
# Prints, as one JSON object on stdout, the facts::TagFacts of the interpreter that runs it:
# what pip's compatibility_tags.get_supported() (packaging.tags) reads from its environment.
# The keys are the TagFacts field names (src/mlstack/facts/python_facts.hpp).
#
# Embedded as a string by the pyenv module and run as `python -I -S -c <this file>`.
# Stdlib only, no pip or packaging import, Python 3.8+; it spawns a child process only for
# a musl loader (Linux) or a macOS that reports the compatibility version 10.16, as packaging
# does. Each detection mirrors packaging 26.3 (pip/_vendor/packaging/{tags,_manylinux,
# _musllinux,_elffile}.py); keep them in step when pip's vendored packaging changes.
import json
import os
import platform
import re
import struct
import sys
import sysconfig


def _config_var(name):
    return sysconfig.get_config_var(name)


def _read_elf(path):
    # (machine, flags, PT_INTERP or None) for a 32- or 64-bit ELF file, or None.
    try:
        with open(path, "rb") as f:
            ident = f.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF":
                return None
            formats = {
                (1, 1): ("<HHIIIIIHHH", "<IIIIIIII", (0, 1, 4)),
                (1, 2): (">HHIIIIIHHH", ">IIIIIIII", (0, 1, 4)),
                (2, 1): ("<HHIQQQIHHH", "<IIQQQQQQ", (0, 2, 5)),
                (2, 2): (">HHIQQQIHHH", ">IIQQQQQQ", (0, 2, 5)),
            }.get((ident[4], ident[5]))
            if formats is None:
                return None
            e_fmt, p_fmt, p_idx = formats
            header = struct.unpack(e_fmt, f.read(struct.calcsize(e_fmt)))
            machine, phoff, flags, phentsize, phnum = (
                header[1], header[4], header[6], header[8], header[9])
            interp = None
            for index in range(phnum):
                f.seek(phoff + phentsize * index)
                raw = f.read(struct.calcsize(p_fmt))
                if len(raw) < struct.calcsize(p_fmt):
                    continue
                ph = struct.unpack(p_fmt, raw)
                if ph[p_idx[0]] != 3:  # PT_INTERP
                    continue
                f.seek(ph[p_idx[1]])
                interp = os.fsdecode(f.read(ph[p_idx[2]])).strip("\0")
                break
            return ident[4], ident[5], machine, flags, interp
    except (OSError, TypeError, ValueError, struct.error):
        return None


def _glibc_version():
    try:
        _, version = os.confstr("CS_GNU_LIBC_VERSION").rsplit()
        if version:
            return version
    except (AttributeError, OSError, ValueError):
        pass
    try:
        import ctypes
        get_version = ctypes.CDLL(None).gnu_get_libc_version
    except (ImportError, OSError, AttributeError):
        return ""
    get_version.restype = ctypes.c_char_p
    version = get_version()
    return version.decode("ascii") if isinstance(version, bytes) else (version or "")


def _musl_version(interp):
    if interp is None or "musl" not in interp:
        return ""
    import subprocess
    try:
        proc = subprocess.run([interp], stderr=subprocess.PIPE, universal_newlines=True)
    except OSError:
        return ""
    lines = [n for n in (n.strip() for n in proc.stderr.splitlines()) if n]
    if len(lines) < 2 or lines[0][:4] != "musl":
        return ""
    m = re.match(r"Version (\d+)\.(\d+)", lines[1])
    return "{}.{}".format(*m.groups()) if m else ""


def _linux_archs(plat, is_32bit):
    # packaging.tags._linux_platforms: the architectures after `linux_`.
    linux = re.sub(r"[.\- ]", "_", plat)
    if not linux.startswith("linux_"):
        return []
    if is_32bit:
        linux = {"linux_x86_64": "linux_i686", "linux_aarch64": "linux_armv8l"}.get(linux, linux)
    arch = linux.split("_", 1)[1]
    return ["armv8l", "armv7l"] if arch == "armv8l" else [arch]


def _manylinux_incompatible(archs, glibc):
    # Candidates that a distro's `_manylinux` module rejects (_manylinux._is_compatible).
    m = re.match(r"([0-9]+)\.([0-9]+)", glibc)
    if not archs or not m:
        return []
    try:
        module = __import__("_manylinux")
    except ImportError:
        return []
    legacy = {(2, 5): "manylinux1_compatible", (2, 12): "manylinux2010_compatible",
              (2, 17): "manylinux2014_compatible"}
    current = (int(m.group(1)), int(m.group(2)))
    rejected = []
    for arch in archs:
        for major in range(current[0], 1, -1):
            top = current[1] if major == current[0] else 50
            for minor in range(top, -1, -1):
                if hasattr(module, "manylinux_compatible"):
                    ok = module.manylinux_compatible(major, minor, arch)
                    ok = True if ok is None else bool(ok)
                elif (major, minor) in legacy and hasattr(module, legacy[(major, minor)]):
                    ok = bool(getattr(module, legacy[(major, minor)]))
                else:
                    ok = True
                if not ok:
                    rejected.append("manylinux_{}_{}_{}".format(major, minor, arch))
    return rejected


def _mac_version():
    version = platform.mac_ver()[0]
    if version.split(".")[:2] == ["10", "16"]:
        # Built against an older SDK, Python reports 10.16 instead of the real version.
        import subprocess
        version = subprocess.run(
            [sys.executable, "-sS", "-c", "import platform; print(platform.mac_ver()[0])"],
            check=True, env={"SYSTEM_VERSION_COMPAT": "0"}, stdout=subprocess.PIPE,
            universal_newlines=True).stdout.strip()
    return version


def tag_facts():
    from importlib.machinery import EXTENSION_SUFFIXES

    names = {"python": "py", "cpython": "cp", "pypy": "pp", "ironpython": "ip",
             "jython": "jy"}
    name = sys.implementation.name
    nodot = _config_var("py_version_nodot")
    py_debug = _config_var("Py_DEBUG")
    pymalloc = _config_var("WITH_PYMALLOC")
    is_32bit = struct.calcsize("P") == 4
    system = platform.system()
    plat = sysconfig.get_platform()
    facts = {
        "interpreter_name": names.get(name) or name,
        "interpreter_version": str(nodot) if nodot else "".join(map(str, sys.version_info[:2])),
        "python_version": list(sys.version_info[:2]),
        "soabi": _config_var("SOABI") or "",
        "ext_suffix": _config_var("EXT_SUFFIX") or "",
        "py_debug": bool(py_debug or (py_debug is None and (
            hasattr(sys, "gettotalrefcount") or "_d.pyd" in EXTENSION_SUFFIXES))),
        "gil_disabled": bool(_config_var("Py_GIL_DISABLED")),
        "platform": plat,
        "glibc_version": "",
        "is_32bit": is_32bit,
        "system": system,
        "with_pymalloc": bool(pymalloc or pymalloc is None),
        "musl_version": "",
        "elf_armhf": False,
        "elf_i686": False,
        "manylinux_incompatible": [],
        "mac_version": "",
        "mac_arch": "",
        "ios_version": "",
        "multiarch": "",
        "android_api_level": 0,
        "emscripten_platform_version": str(_config_var("PYEMSCRIPTEN_PLATFORM_VERSION") or ""),
    }
    if system == "Linux":
        elf = _read_elf(sys.executable)
        archs = _linux_archs(plat, is_32bit)
        glibc = _glibc_version()
        facts["glibc_version"] = glibc
        if elf is not None:
            capacity, encoding, machine, flags, interp = elf
            facts["elf_armhf"] = (capacity, encoding, machine) == (1, 1, 40) and (
                flags & 0xFF000000 == 0x05000000) and flags & 0x400 == 0x400
            facts["elf_i686"] = (capacity, encoding, machine) == (1, 1, 3)
            if archs:
                facts["musl_version"] = _musl_version(interp)
        facts["manylinux_incompatible"] = _manylinux_incompatible(archs, glibc)
    elif system == "Darwin":
        facts["mac_version"] = _mac_version()
        facts["mac_arch"] = platform.mac_ver()[2]
    elif system == "iOS":
        facts["ios_version"] = platform.ios_ver().release
        facts["multiarch"] = sys.implementation._multiarch
    elif system == "Android":
        facts["android_api_level"] = platform.android_ver().api_level
    return facts


print(json.dumps(tag_facts(), sort_keys=True))
