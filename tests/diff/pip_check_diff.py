#!/usr/bin/env python3
"""Differential test: `mlstack check` against real `pip check` on generated environments.

Each case is a fresh venv (created with --without-pip, so only what the case writes is
installed) whose site-packages gets a random set of *.dist-info / *.egg-info entries:
odd name spellings, pre-releases, local and post versions, invalid versions, markers with
extras, invalid requirement lines, folded headers, egg-info requires.txt sections, WHEEL
tags for other platforms, '~' leftovers, a second site dir (through a .pth file) that
shadows distributions, and distributions inside zip archives on sys.path (a .zip, a zipped
.egg, .whl files; write_zip_entries), version and specifier numbers of 2^64 and more
(write_big_number_entries) and names that need Python's Unicode str.lower()
(write_unicode_entries). pip (the pinned reference, tools/requirements-ref.txt) checks it with
`pip --python VENV/bin/python check`; mlstack with `mlstack check --python VENV/bin/python`.
stdout must hold the same lines (order may differ) and the exit codes must be equal.

Usage: pip_check_diff.py --mlstack BUILD/mlstack --ref-python REFVENV/bin/python [--cases N]
"""
import argparse
import glob
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile

NAMES = ["alpha", "Beta_Pkg", "gamma.lib", "delta-x", "Eps", "zeta_core", "eta", "theta.io",
         "iota", "kappa-ML", "lambda_", "mu"]
VERSIONS = ["1.0", "1.0.0", "2.0rc1", "2.0", "2.1.post1", "0.9.dev3", "1!1.0", "1.0+cu121",
            "3.0a2", "10.2.3", "1.0.post0.dev1", "2.0.0-1", "V1.5", "1.0b2.post3"]
BAD_VERSIONS = ["1.0-foo", "latest", "2.0.x", ""]
OPS = [">=", "<=", "==", "!=", "~=", ">", "<", "==="]
MARKERS = [
    'python_version >= "3.8"', 'python_version < "3"', 'sys_platform == "win32"',
    'sys_platform == "linux"', 'extra == "test"', 'extra == "Test_X"', 'extra == ""',
    'platform_machine == "x86_64" and python_full_version >= "3.6.0"',
    '"linux" in sys_platform', 'os_name != "nt" or extra == "gpu"',
    'python_version ~= "3.11"', 'implementation_name == "cpython"',
    '(extra == "a" or extra == "b") and python_version > "2.7"',
    "python_version > '3.10'", 'platform_release >= "5"', 'python_version == "3.11.*"',
    'os_name ~= "posix"',
    # Deep, but within what packaging's recursive parser handles (pip stops at ~485 here).
    "(" * 470 + 'os_name == "posix"' + ")" * 470,
]
BAD_REQS = ["foo>=", "foo (>=1.0", "bar; python_version >>> '3'", "baz @", "[x]",
            "qux==1.0; extra == ", "ok-name ==1.* ; os_name=='posix'", "sp ace", "a==1.0 b",
            "url-dep @ https://example.com/u-1.0-py3-none-any.whl ; python_version > '3'",
            "url-dep2 @ file:///tmp/x.whl", "foo>=1.0+local", "foo==1.0.*,>=1"]
# pip stops with a traceback: a KeyError from the marker, an invalid WHEEL tag, a marker
# nested past packaging's recursion limit (RecursionError).
CRASH_REQS = ['crashy; "a" in extras', "py3-none",
              "crashy; " + "(" * 600 + 'os_name == "posix"' + ")" * 600]
TAGS_OK = ["py3-none-any", "py2.py3-none-any", "cp311-cp311-manylinux_2_17_x86_64",
           "cp311-abi3-linux_x86_64"]
TAGS_BAD = ["cp27-cp27mu-manylinux1_i686", "cp311-cp311-win_amd64", "py3-none-macosx_11_0_arm64",
            "pp310-pypy310_pp73-manylinux_2_28_aarch64"]


def spell(rng, name):
    choice = rng.randrange(4)
    if choice == 0:
        return name
    if choice == 1:
        return name.upper()
    if choice == 2:
        return name.replace("_", ".").replace("-", "_")
    return name.replace("-", "__").replace(".", "-")


def rand_spec(rng):
    if rng.random() < 0.2:
        return ""
    parts = []
    for _ in range(rng.randrange(1, 3)):
        op = rng.choice(OPS)
        v = rng.choice(["1.0", "2.0", "2", "0.9", "3.0a1", "1.0.*", "2.*", "1.0+cu121", "1!1.0",
                        "2.0rc1", "10"])
        if "*" in v and op not in ("==", "!="):
            v = v.replace(".*", "")
        if op == "~=" and "." not in v.split("+")[0]:
            v += ".0"
        parts.append(op + v)
    spec = ",".join(parts)
    if rng.random() < 0.2:
        return f" ({spec})"
    return (" " if rng.random() < 0.3 else "") + spec


def rand_req(rng, universe):
    if rng.random() < 0.06:
        return rng.choice(BAD_REQS)
    name = spell(rng, rng.choice(universe + ["missing-one", "Missing.Two"]))
    extras = ""
    if rng.random() < 0.2:
        extras = "[" + ",".join(rng.sample(["test", "gpu", "Test_X", "a"], rng.randrange(1, 3))) + "]"
    req = name + extras + rand_spec(rng)
    if rng.random() < 0.45:
        req += " ; " + rng.choice(MARKERS)
    return req


def write_dist_info(rng, site, name, version, reqs, tags):
    dirname = f"{name}-{version}.dist-info"
    if rng.random() < 0.1:
        dirname = f"{name}.dist-info"  # no version in the directory name: read METADATA
    path = os.path.join(site, dirname)
    os.makedirs(path, exist_ok=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    for r in reqs:
        if rng.random() < 0.05 and " " in r:
            head, tail = r.split(" ", 1)
            lines.append(f"Requires-Dist: {head}\n  {tail}")  # folded header
        else:
            key = rng.choice(["Requires-Dist", "requires-dist", "REQUIRES-DIST"])
            lines.append(f"{key}: {r}")
    for e in ["test", "gpu", "Test_X", "a", "b"]:
        lines.append(f"Provides-Extra: {e}")
    body = "\n".join(lines) + "\n\nLong description with Requires-Dist: nope\n"
    with open(os.path.join(path, "METADATA"), "w") as f:
        f.write(body)
    with open(os.path.join(path, "INSTALLER"), "w") as f:
        f.write("pip\n")
    if tags is not None:
        with open(os.path.join(path, "WHEEL"), "w") as f:
            f.write("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n")
            for t in tags:
                f.write(f"Tag: {t}\n")


def write_egg_info(rng, site, name, version, reqs):
    base = f"{name.replace('-', '_')}-{version}-py3.11.egg-info"
    as_file = rng.random() < 0.3
    pkg_info = f"Metadata-Version: 1.1\nName: {name}\nVersion: {version}\n"
    if as_file:
        with open(os.path.join(site, base), "w") as f:
            f.write(pkg_info)
        return
    path = os.path.join(site, base)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "PKG-INFO"), "w") as f:
        f.write(pkg_info)
    sections = {"": [], "test": [], ":sys_platform == \"linux\"": [], "gpu:python_version>\"3\"": []}
    for r in reqs:
        if ";" in r or r in BAD_REQS:
            continue
        sections[rng.choice(list(sections))].append(r)
    with open(os.path.join(path, "requires.txt"), "w") as f:
        for sec, items in sections.items():
            if sec:
                f.write(f"\n[{sec}]\n")
            for i in items:
                f.write(i + "\n")


def write_odd_entries(rng, site, root, universe):
    """Rarer shapes: egg-link editables, .egg folders, undecodable or missing METADATA,
    PKG-INFO-only dist-info, header defects, two versions of one name in one folder,
    broken symlinks and loops, Requires-Python."""
    name = spell(rng, rng.choice(universe))
    kind = rng.randrange(10)
    if kind == 0:
        proj = os.path.join(root, "src-proj")
        os.makedirs(os.path.join(proj, f"{name}.egg-info"), exist_ok=True)
        with open(os.path.join(proj, f"{name}.egg-info", "PKG-INFO"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.dev0\n")
        with open(os.path.join(proj, f"{name}.egg-info", "requires.txt"), "w") as f:
            f.write(rand_req(rng, universe).split(";")[0] + "\n")
        with open(os.path.join(site, f"{name}.egg-link"), "w") as f:
            f.write(proj + "\n.\n")
    elif kind == 1:
        egg = os.path.join(site, f"{name.replace('-', '_')}-1.5-py3.11.egg", "EGG-INFO")
        os.makedirs(egg, exist_ok=True)
        with open(os.path.join(egg, "PKG-INFO"), "w") as f:
            f.write(f"Metadata-Version: 1.1\nName: {name}\nVersion: 1.5\n")
    elif kind == 2:
        d = os.path.join(site, f"{name}-3.3.dist-info")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "METADATA"), "wb") as f:
            f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: 3.3\n\n".encode()
                    + b"caf\xe9 latin-1 body\n")
    elif kind == 3:
        os.makedirs(os.path.join(site, f"{name}-4.4.dist-info"), exist_ok=True)
    elif kind == 4:
        d = os.path.join(site, f"{name}-5.5.dist-info")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "PKG-INFO"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: 5.5\n"
                    f"Requires-Dist: {rand_req(rng, universe)}\n")
    elif kind == 5:
        d = os.path.join(site, f"{name}-6.6.dist-info")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "METADATA"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {name}\nthis line has no colon\n"
                    f"Requires-Dist: {rand_req(rng, universe)}\n")
    elif kind == 6:
        for v in ("7.0", "7.1"):
            write_dist_info(rng, site, spell(rng, name), v, [rand_req(rng, universe)], None)
    elif kind == 7:
        os.symlink(os.path.join(root, "nowhere"), os.path.join(site, f"{name}-8.0.dist-info"))
        os.symlink("loop-b.dist-info", os.path.join(site, "loop-a.dist-info"))
        os.symlink("loop-a.dist-info", os.path.join(site, "loop-b.dist-info"))
    elif kind == 8:
        d = os.path.join(site, f"{name}-9.0.dist-info")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "METADATA"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: 9.0\n"
                    "Requires-Python: >=3.12\n")
    else:
        d = os.path.join(site, f"{name}-10.0.dist-info")
        os.makedirs(d, exist_ok=True)
        crash = rng.choice(CRASH_REQS)
        with open(os.path.join(d, "METADATA"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: 10.0\n")
            if crash.startswith("crashy"):
                f.write(f"Requires-Dist: {crash}\n")
        if not crash.startswith("crashy"):
            with open(os.path.join(d, "WHEEL"), "w") as f:
                f.write(f"Wheel-Version: 1.0\nTag: {crash}\n")


def zip_folder(rng, folder, zip_path):
    """Zips what `folder` holds (names relative to it), stored or deflated, sometimes with
    explicit directory members."""
    method = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
    with zipfile.ZipFile(zip_path, "w", method) as zf:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            rel = os.path.relpath(dirpath, folder)
            if rel != "." and rng.random() < 0.3:
                zf.writestr(rel + "/", "")
            for fn in sorted(filenames):
                zf.write(os.path.join(dirpath, fn), os.path.normpath(os.path.join(rel, fn)))


def corrupt_a_member(path):
    """Breaks the CRC of the first stored METADATA: pip (zipfile.BadZipFile) and mlstack
    both stop with exit status 2."""
    with zipfile.ZipFile(path) as zf:
        infos = [i for i in zf.infolist() if i.filename.endswith(".dist-info/METADATA")
                 and i.compress_type == zipfile.ZIP_STORED and i.file_size > 20]
    if not infos:
        return
    data = bytearray(open(path, "rb").read())
    at = data.find(b"Metadata-Version", infos[0].header_offset)
    data[at] ^= 0x20
    open(path, "wb").write(bytes(data))


def write_zip_entries(rng, site, root, universe):
    """Distributions inside zip archives on sys.path (importlib's FastPath.zip_children), named
    in a .pth file: a .zip outside the venv or inside site-packages (then local: the platform
    line applies), a zipped .egg (EGG-INFO), a .whl named like a wheel (pip skips it), another
    .whl (read as a zip), and an .egg-link whose target is a zip. They shadow and are shadowed
    by the folder distributions as their place on sys.path says."""
    kinds = rng.sample(["zip", "zip-local", "egg", "whl-named", "whl-other", "egg-link"],
                       rng.randrange(1, 4))
    pth = []
    for n, kind in enumerate(kinds):
        stage = os.path.join(root, f"zip-stage-{n}")
        os.makedirs(stage)
        if kind == "egg":
            name = spell(rng, rng.choice(universe))
            info = os.path.join(stage, "EGG-INFO")
            os.makedirs(info)
            with open(os.path.join(info, "PKG-INFO"), "w") as f:
                f.write(f"Metadata-Version: 1.1\nName: {name}\nVersion: {rng.choice(VERSIONS)}\n")
            with open(os.path.join(info, "requires.txt"), "w") as f:
                for _ in range(rng.randrange(0, 3)):
                    f.write(rand_req(rng, universe).split(";")[0] + "\n")
            path = os.path.join(root, f"{name.replace('-', '_')}-1.5-py3.11.egg")
        else:
            for nm in rng.sample(universe + ["zipped-only"], rng.randrange(1, 4)):
                reqs = [rand_req(rng, universe) for _ in range(rng.randrange(0, 4))]
                tags = rng.choice([None, [rng.choice(TAGS_OK)], [rng.choice(TAGS_BAD)]])
                if rng.random() < 0.8:
                    write_dist_info(rng, stage, spell(rng, nm), rng.choice(VERSIONS), reqs, tags)
                else:
                    write_egg_info(rng, stage, spell(rng, nm), rng.choice(VERSIONS), reqs)
            path = {"zip": os.path.join(root, f"bundle-{n}.zip"),
                    "zip-local": os.path.join(site, f"bundle-{n}.zip"),
                    "whl-named": os.path.join(root, f"wheelpkg{n}-1.0-py3-none-any.whl"),
                    "whl-other": os.path.join(root, f"tool-{n}.whl"),
                    "egg-link": os.path.join(root, f"linked-{n}.zip")}[kind]
        zip_folder(rng, stage, path)
        shutil.rmtree(stage)
        if rng.random() < 0.05:
            corrupt_a_member(path)
        if kind == "egg-link":
            with open(os.path.join(site, f"linked-{n}.egg-link"), "w") as f:
                f.write(path + "\n.\n")
        else:
            pth.append(path)
    if pth:
        with open(os.path.join(site, "zz-zips.pth"), "w") as f:
            f.write("\n".join(pth) + "\n")


# --- numbers of any size (pep440::Number) ------------------------------------------------
BIG_NUMS = [str(2**64), str(2**64 - 1), str(2**63), str(2**63 - 1), "1" + "0" * 19,
            "1234567890123456789012345678901234567890", "9" * 40, "0" * 25 + "7",
            str(10**20 + 1), "18446744073709551617"]
LONG_NUM = "5" * 4301  # one digit past Python's int() limit (packaging raises ValueError)


def big_num(rng):
    return rng.choice(BIG_NUMS) if rng.random() < 0.6 else str(rng.randrange(0, 12))


def big_version(rng):
    """A version with 20- and 40-digit numbers, and parts that let specifiers hit it."""
    release = [big_num(rng) for _ in range(rng.randrange(1, 4))]
    if all(len(p) < 19 for p in release):
        release[-1] = rng.choice(BIG_NUMS)
    v = ".".join(release)
    if rng.random() < 0.2:
        v = big_num(rng) + "!" + v
    if rng.random() < 0.25:
        v += rng.choice(["a", "b", "rc", ".dev"]) + big_num(rng)
    if rng.random() < 0.2:
        v += ".post" + big_num(rng)
    if rng.random() < 0.4:
        v += rng.choice(["+cu121", "+cu121." + big_num(rng), "+" + big_num(rng), "+abc.0042"])
    return v


def near_big(rng, version):
    """A version near `version` (its last release part moved by one, exact in Python ints)."""
    base = version.split("+")[0]
    epoch = ""
    if "!" in base:
        epoch, base = base.split("!", 1)
        epoch += "!"
    digits = ""
    while base and base[0].isdigit() or (base[:1] == "." and base[1:2].isdigit()):
        digits += base[0]
        base = base[1:]
    parts = digits.split(".")
    move = rng.choice([-1, 0, 0, 1])
    parts[-1] = str(max(0, int(parts[-1]) + move))
    return epoch + ".".join(parts)


def big_spec(rng, version):
    near = near_big(rng, version)
    kind = rng.randrange(7)
    if kind == 0:
        return "==" + near.split("!")[-1].rsplit(".", 1)[0] + ".*" if "." in near else "==" + near
    if kind == 1:
        return "~=" + (near if "." in near.split("!")[-1] else near + ".0")
    if kind == 2:
        return "===" + version
    if kind == 3:
        return rng.choice(["==", "!="]) + version
    return rng.choice([">=", "<=", ">", "<", "!="]) + near


def write_big_number_entries(rng, site):
    """Distributions whose versions and requirements hold numbers of 2^64 and more (pip takes
    them as Python ints), and rarely one past Python's int() limit (pip leaves the
    distribution out with a ValueError, or stops where it compares such a specifier)."""
    names = ["bignum_a", "BigNum_B", "bignum.c"]
    versions = {}
    for name in names[:rng.randrange(1, len(names) + 1)]:
        v = big_version(rng)
        versions[name] = v
        if len(v) > 200 or rng.random() < 0.2:
            folder = f"{name}.dist-info"  # no version in the name: read from METADATA
        else:
            folder = f"{name.replace('-', '_')}-{v}.dist-info"
        d = os.path.join(site, folder)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "METADATA"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {name}\nVersion: {v}\n")
    reqs = []
    for name, v in versions.items():
        for _ in range(rng.randrange(1, 4)):
            spec = ",".join(big_spec(rng, v) for _ in range(rng.randrange(1, 3)))
            reqs.append(name.lower() + spec)
    if rng.random() < 0.3:
        reqs.append("bignum-missing>=" + rng.choice(BIG_NUMS))
    d = os.path.join(site, "bignum_user-1.0.dist-info")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: bignum-user\nVersion: 1.0\n")
        f.write("".join(f"Requires-Dist: {r}\n" for r in reqs))
    kind = rng.random()
    if kind < 0.05:  # a version past int()'s limit: left out, its dependents see it missing
        d = os.path.join(site, "bignum_long.dist-info")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "METADATA"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: bignum-long\nVersion: 1.{LONG_NUM}\n")
        with open(os.path.join(site, "bignum_user-1.0.dist-info", "METADATA"), "a") as f:
            f.write("Requires-Dist: bignum-long\n")
    elif kind < 0.08:  # a specifier past int()'s limit: where pip parses or hashes it, it stops
        target = rng.choice(list(versions) + ["bignum-missing"])
        spec = rng.choice([f">=1.{LONG_NUM}", f"==1.{LONG_NUM}.*", f">=99,=={LONG_NUM}.*"])
        with open(os.path.join(site, "bignum_user-1.0.dist-info", "METADATA"), "a") as f:
            f.write(f"Requires-Dist: {target.lower()}{spec}\n")


# --- Unicode-cased names (Python's str.lower(), names/python_case.hpp) -----------------------
UNICODE_NAMES = [
    "\u212aelvin",                       # KELVIN SIGN: lowercases to ASCII `kelvin`
    "\u0130stanbul",                     # dotted capital I: `i̇`, two code points (invalid)
    "d\u0131st",                         # dotless i: valid for pip's re.IGNORECASE
    "\u017fcipy",                        # long s: valid, but not `scipy`
    "STRA\u1e9eE", "Stra\u00dfe",         # capital and small sharp s
    "\u03a3\u0399\u0393\u039c\u0391\u03a3",  # final sigma
    "\u039f\u0394\u039f\u03a3.\u039b\u0399\u0392", "\u039f\u0394\u039f\u03a3_\u039b",
    "\uff26\uff55\uff4c\uff4c",             # fullwidth
    "K\u212a_\u212aK", "Caf\u00c9", "A\u03a3\u0345", "\u01c5ungla",
]
ASCII_TWINS = ["kelvin", "istanbul", "dist", "scipy", "strasse", "sigmas", "odos-lib", "full",
               "kk-kk", "cafe", "dzungla"]


def write_unicode_entries(rng, site):
    """Distributions whose dist-info folder or METADATA Name needs Python's full Unicode
    `str.lower()` (importlib's grouping, canonicalize_name, pip's name check), with
    requirements on their ASCII twins and invalid requirements naming them."""
    chosen = rng.sample(UNICODE_NAMES, rng.randrange(2, 6))
    for k, name in enumerate(chosen):
        version = f"1.{k}"
        form = rng.randrange(4)
        if form == 0:  # the name from the folder
            folder = f"{name}-{version}.dist-info"
            meta_name = rng.choice([name, "unrelated-name"])
        elif form == 1:  # no version in the folder: the name from METADATA
            folder = f"uni_meta_{k}.dist-info"
            meta_name = name
        elif form == 2:  # a spelling folded to the same Lookup key as an ASCII twin
            folder = f"{name.upper()}-{version}.dist-info"
            meta_name = name
        else:
            folder = f"{name}-{version}.dist-info"
            meta_name = name
        d = os.path.join(site, folder)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "METADATA"), "w", encoding="utf-8") as f:
            f.write(f"Metadata-Version: 2.1\nName: {meta_name}\nVersion: {version}\n")
            if rng.random() < 0.6:  # pip's lines then name the distribution as it lowers it
                f.write("Requires-Dist: uni-missing\n")
    if rng.random() < 0.4:  # an ASCII folder beside the Kelvin one: one Lookup group
        d = os.path.join(site, "kelvin-9.0.dist-info")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "METADATA"), "w") as f:
            f.write("Metadata-Version: 2.1\nName: kelvin\nVersion: 9.0\n")
    if rng.random() < 0.2:  # a Unicode-cased suffix is no dist-info (`ı` is not `i`)
        os.makedirs(os.path.join(site, "quux-1.0.d\u0131st-info"), exist_ok=True)
    if rng.random() < 0.15:  # a folder name that is not UTF-8 (surrogateescape in Python)
        os.makedirs(os.path.join(os.fsencode(site), b"caf\xe9-1.0.dist-info"), exist_ok=True)
    reqs = [rng.choice(ASCII_TWINS) + rng.choice(["", ">=1.1", "<1.1", "==1.0"])
            for _ in range(rng.randrange(1, 5))]
    if rng.random() < 0.3:  # `===` lowers both sides with str.lower(): `K` (KELVIN SIGN) is `k`
        d = os.path.join(site, "uni_local-1.0+k.dist-info")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "METADATA"), "w") as f:
            f.write("Metadata-Version: 2.1\nName: uni-local\nVersion: 1.0+k\n")
        reqs.append("uni-local===" + rng.choice(["1.0+\u212a", "1.0+\u0130", "1.0+K"]))
    d = os.path.join(site, "uni_user-1.0.dist-info")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w", encoding="utf-8") as f:
        f.write("Metadata-Version: 2.1\nName: uni-user\nVersion: 1.0\n")
        f.write("".join(f"Requires-Dist: {r}\n" for r in reqs))
    if rng.random() < 0.3:  # a requirement naming a Unicode name is invalid: left out
        d = os.path.join(site, "uni_bad-1.0.dist-info")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "METADATA"), "w", encoding="utf-8") as f:
            f.write("Metadata-Version: 2.1\nName: uni-bad\nVersion: 1.0\n"
                    f"Requires-Dist: {rng.choice(UNICODE_NAMES)}\n")
    if rng.random() < 0.3:  # an extra named in Unicode (canonicalized with str.lower())
        d = os.path.join(site, "uni_extra-1.0.dist-info")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "METADATA"), "w", encoding="utf-8") as f:
            f.write("Metadata-Version: 2.1\nName: uni-extra\nVersion: 1.0\n"
                    "Provides-Extra: \u212a\n"
                    "Requires-Dist: kelvin>=99; extra == \"\u212a\"\n"
                    "Requires-Dist: kelvin>=99; extra == \"\u0130\"\n")


def make_case(rng, root):
    venv = os.path.join(root, "venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    site = subprocess.run([os.path.join(venv, "bin", "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    universe = rng.sample(NAMES, rng.randrange(3, len(NAMES)))
    extra_site = None
    if rng.random() < 0.3:
        extra_site = os.path.join(root, "extra-site")
        os.makedirs(extra_site)
        with open(os.path.join(site, "zz-extra.pth"), "w") as f:
            f.write(extra_site + "\n")
    for name in universe:
        version = rng.choice(VERSIONS) if rng.random() > 0.05 else rng.choice(BAD_VERSIONS)
        reqs = [rand_req(rng, universe) for _ in range(rng.randrange(0, 6))]
        tags = None
        r = rng.random()
        if r < 0.6:
            tags = [rng.choice(TAGS_OK)]
        elif r < 0.7:
            tags = [rng.choice(TAGS_BAD)]
        elif r < 0.75:
            tags = [rng.choice(TAGS_BAD), rng.choice(TAGS_OK)]
        if rng.random() < 0.8:
            write_dist_info(rng, site, spell(rng, name), version, reqs, tags)
        else:
            write_egg_info(rng, site, spell(rng, name), version, reqs)
        if extra_site and rng.random() < 0.4:
            write_dist_info(rng, extra_site, spell(rng, name), rng.choice(VERSIONS),
                            [rand_req(rng, universe)], None)
    if rng.random() < 0.1:
        os.makedirs(os.path.join(site, "~lpha-1.0.dist-info"))
    for _ in range(rng.randrange(0, 3)):
        write_odd_entries(rng, site, root, universe)
    if rng.random() < 0.35:
        write_zip_entries(rng, site, root, universe)
    return venv


def run(cmd, env=None):
    # surrogateescape: a name that is not UTF-8 (write_unicode_entries) may reach stderr.
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env,
                       encoding="utf-8", errors="surrogateescape")
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlstack", required=True)
    ap.add_argument("--ref-python", required=True)
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(args.ref_python):
        print(f"reference python not found: {args.ref_python} (run `make refvenv`)")
        return 1
    failures = 0
    same_order = 0
    for i in range(args.cases):
        rng = random.Random(args.seed * 1000 + i)
        root = tempfile.mkdtemp(prefix=f"mlstack-diff-{i}-")
        keep = args.keep
        try:
            venv = make_case(rng, root)
            # Big numbers and Unicode names draw from their own generator, so the cases
            # above stay as they were.
            extra_rng = random.Random(f"{args.seed}-{i}-numbers-names")
            site = next(iter(glob.glob(os.path.join(venv, "lib", "python*", "site-packages"))))
            if extra_rng.random() < 0.4:
                write_big_number_entries(extra_rng, site)
            if extra_rng.random() < 0.4:
                write_unicode_entries(extra_rng, site)
            py = os.path.join(venv, "bin", "python")
            env = dict(os.environ, XDG_CACHE_HOME=os.path.join(root, "cache"))
            prc, pout, _ = run([args.ref_python, "-m", "pip", "--disable-pip-version-check",
                                "--python", py, "check"])
            mrc, mout, merr = run([args.mlstack, "check", "--python", py], env=env)
            if sorted(pout.splitlines()) != sorted(mout.splitlines()) or prc != mrc:
                failures += 1
                keep = True
                print(f"case {i}: MISMATCH (pip exit {prc}, mlstack exit {mrc}) in {root}")
                for line in sorted(set(pout.splitlines()) - set(mout.splitlines())):
                    print(f"  only pip:     {line}")
                for line in sorted(set(mout.splitlines()) - set(pout.splitlines())):
                    print(f"  only mlstack: {line}")
                if mrc >= 2:
                    print("  mlstack stderr: " + merr.strip())
            elif pout == mout:
                same_order += 1
        finally:
            if not keep:
                shutil.rmtree(root, ignore_errors=True)
    print(f"pip check differential: {args.cases - failures} passed, {failures} failed "
          f"({same_order} in pip's exact order)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
