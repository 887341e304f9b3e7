#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write tests/data/pep508/vectors.json: the oracle for src/mlstack/pep508.

Run with the reference interpreter, whose pip vendors packaging 26.3:

    /opt/refvenv/bin/python tools/gen_pep508_vectors.py
    /opt/refvenv/bin/python tools/gen_pep508_vectors.py --word-table   # detail/python_word_table.inc

Every case is computed by `pip._vendor.packaging`, never by hand.
"""
from __future__ import annotations

import itertools
import json
import re
import sys
from pathlib import Path

from pip._vendor import packaging
from pip._vendor.packaging.markers import Marker
from pip._vendor.packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "pep508" / "vectors.json"
WORD_TABLE = ROOT / "src" / "mlstack" / "pep508" / "detail" / "python_word_table.inc"

NAMES = ["foo", "Foo_Bar", "a.b-c", "x1", "name-", "9lives", "Scikit_Learn"]
EXTRAS = ["", "[]", "[a]", "[ b , A ]", "[Test_Extra,test-extra]", "[a,a]", "[a b]", "[a,]",
          "[a", "[,a]", "[a.b-c_d]"]
SPECIFIERS = ["", ">=1.0", "==1.0.*", "!=1.2.*,<2", "(>=1,<2)", "( ==2.0 )", " ~=3.8",
              "===foo", "===1,x", "==1.0+local", ">1.0+local", ">=1.*", "==1.0a1.*", "~=1",
              "==v1.0", "<=1!2.0.post1.dev3", ">=1.0,", ">= 1.0 , < 2", "(>=1", "==1.0-1",
              "==1.0RC1", "== 1.0", ">=1.0 <2", ">=1.0;", "==1.0.*+x", "=1.0", ">=1.0  "]
MARKER_TAILS = ["", "; python_version >= '3.8'", ";extra=='Test'", " ; os_name == \"nt\"",
                ";", "; ", "; python_version >= '3.8' and", ";(extra == 'a')"]
URLS = ["@ https://example.com/x.zip", "@https://e.com/a;b", "@ file:///tmp/x ",
        "@ https://x.org/p.whl ; sys_platform == 'linux'", "@", "@ u;", "@ u ;x",
        "@ git+https://g/r@v1.0#egg=x"]

EXTRA_REQUIREMENTS = [
    "", " ", "\t", "foo\n", "foo\n; os_name == 'nt'", "foo >=1.0\n", "foo (>=1.0)\n",
    "foo==\n1.0", " foo ", "foo; os_name=='a' or os_name=='b' and extra=='c'",
    "foo; (os_name=='a' or os_name=='b') and extra=='c'", "name @ url", "name@url",
    "foo bar", "foo[bar]baz", "foo>=1.0,<2.0;python_version<'3'", "-foo", "foo$", "föo",
    "foo-é", "foo;os_name=='é'", "foo ; python_version >= '3.8' or", "foo==1.0 extra",
    "foo[bar] (>=1.0) ; extra == 'x'", "foo===1.0 ; os_name=='nt'", "foo===1.0;x",
    "foo (===1.0)", "foo===", "foo(>=1.0);os_name=='a'", "foo[a] @ https://x ; extra=='a'",
    "name @ https://x.org/a b", "name>=1.0.post1-1", "name!=1.0.*", "name<1.0.*",
    "name @ https://x ; ", "foo[ a , b ]>=1;extra=='b'", "foo (>=1.0 ; os_name=='a'",
    "foo; os_name in 'posix nt'", "foo; 'nt' not in os_name", "foo; os_name notin 'x'",
    "foo; os_name not  in 'x'", "foo; os_name ~= 'x'", "foo; python_version ~= '3'",
]

MARKERS = [
    # comparisons of every variable
    'python_version >= "3.8"', 'python_version < "3.10"', "python_version == '3.11'",
    'python_version > "3.9"', 'python_version <= "3.9"', 'python_version != "3.12"',
    'python_version ~= "3.8"', 'python_version ~= "3"', 'python_version === "3.11"',
    'python_version == "3.*"', 'python_version == "3.11.*"', 'python_version != "3.1*"',
    'python_version in "3.8 3.9 3.10"', 'python_version not in "3.11"',
    'python_version >= "3.8.0"', 'python_version > "3.11.0"', 'python_version < "foo"',
    'python_version == "foo"', 'python_version >= ""', 'python_version == "3.11.0+local"',
    'python_full_version >= "3.11.4"', 'python_full_version == "3.13.0+local"',
    'python_full_version < "3.13.0a1"', 'python_full_version >= "3.14.0rc1"',
    'python_full_version ~= "3.12.0"', 'python_full_version === "3.11.7"',
    'python_full_version > "3.13.0"', 'python_full_version == "3.13.*"',
    'implementation_name == "cpython"', 'implementation_name == "pypy"',
    'implementation_version >= "7.3"', 'implementation_version < "3.12"',
    'os_name == "nt"', 'os_name != "posix"', 'os.name == "posix"',
    'sys_platform == "linux"', 'sys_platform == "win32"', 'sys.platform != "darwin"',
    "sys_platform in 'linux darwin'", "'linux' in sys_platform", "'lin' in sys_platform",
    "'' in sys_platform", "sys_platform not in ''",
    'platform_machine == "x86_64"', 'platform_machine in "x86_64 AMD64"',
    'platform.machine == "arm64"', 'platform_machine != "aarch64"',
    'platform_system == "Linux"', 'platform_system == "Windows"', 'platform_system != "Darwin"',
    'platform_release >= "5.0"', 'platform_release < "20"', 'platform_release == "10"',
    'platform_release > "6.1.0-18-amd64"', 'platform_release ~= "6.1"',
    'platform_version >= "1"', 'platform.version in "Ubuntu"', 'platform_version == "x"',
    'platform_python_implementation == "CPython"', 'python_implementation == "PyPy"',
    'platform.python_implementation != "CPython"',
    'os_name < "posix"', 'os_name > "nt"', 'os_name <= "posix"', 'os_name >= "nt"',
    'os_name ~= "posix"', 'os_name === "posix"', 'sys_platform ~= "1.0"',
    # extras
    'extra == "test"', 'extra == "Test"', 'extra == "Test_Extra"', "extra == 'test-extra'",
    'extra == "test.extra"', 'extra != "test"', "extra == ''", "'test' == extra",
    "'Test_Extra' == extra", "extra in 'test'", "'te' in extra", "extra < 'test'",
    "extra ~= 'test'", "extra === 'test'", "extra == extra", "extra >= 'a'",
    'extra == "1.0"', 'extra == "TEST" or extra == "dev"', "extra == 'a' and extra == 'b'",
    '"a" in extras', '"A_B" in extras', 'extras == "a"', '"x" in dependency_groups',
    # literals and variables on both sides
    '"3.8" < python_version', '"3.11" == python_version', '"3.11.4" <= python_full_version',
    '"3.8" ~= python_version', "'linux' == sys_platform", "'nt' != os_name",
    '"foo" == "bar"', '"os_name" == "posix"', '"posix" == "os_name"', '"a" == "extra"',
    "'3.8' < 'python_version'", 'os_name == sys_platform', 'python_version == python_version',
    'sys_platform == "sys_platform"', 'python_version < python_full_version',
    # boolean structure
    'os_name == "nt" and python_version >= "3.8"', 'os_name == "nt" or python_version >= "3.8"',
    'os_name == "a" or os_name == "b" and os_name == "c"',
    '(os_name == "a" or os_name == "b") and os_name == "c"',
    'os_name == "a" or (os_name == "b" and os_name == "c")', '((os_name == "posix"))',
    '(((os_name == "posix") and (sys_platform == "linux")))',
    '(os_name == "posix" or extra == "x") and (python_version < "3" or extra == "test")',
    'python_version >= "3.8" and (extra == "a" or extra == "b")',
    '( os_name == "nt" )', '(os_name=="nt")and(sys_platform=="win32")',
    "os_name=='nt'or sys_platform=='win32'", 'os_name == "nt" and os_name == "x" or extra == "test"',
    'extra == "x" and os_name ~= "1"', 'os_name ~= "1" and extra == "x"',
    'os_name == "x" and "a" in extras', '"a" in extras or os_name == "posix"',
    # quoting and escapes
    "os_name == 'po\"six'", 'os_name == "po\'six"', "os_name == 'a\\x41'", "os_name == '\\u00e9'",
    "os_name == 'é'", "os_name == 'a\\\\b'", "os_name == 'a\\nb'", "os_name == '\\d'",
    "os_name == '\\x4'", "os_name == 'a\\\nb'", "os_name == '\\101'", "os_name == '\\8'",
    "os_name == 'a\\'", "os_name == 'a\nb'", "os_name == '\\U0001F600'", "os_name == '\\U00110000'",
    "os_name == \"\\x22'\"",
    # whitespace
    '  os_name == "nt"  ', '\tos_name\t==\t"nt"', 'os_name  ==  "nt"', 'os_name=="nt"',
    'os_name == "nt"\n', '\nos_name == "nt"', 'os_name ==\n"nt"',
    # invalid
    '', ' ', 'os_name', 'os_name ==', 'os_name = "nt"', '== "nt"', 'os_name == nt',
    'os_name == "nt" and', 'os_name == "nt" or', '(os_name == "nt"', 'os_name == "nt")',
    'os_name == "nt" xor os_name == "x"', 'os_name is "nt"', 'os_name not "nt"',
    'os_name not_in "nt"', 'os_name notin "nt"', 'os_name not\tin "nt"', 'osname == "nt"',
    'os_name == "nt" os_name == "x"', 'extras_x == "a"', 'extra_name == "a"', 'python_versions == "3"',
    '"nt" == "nt" == "nt"', 'os_name == "nt";', 'os.name.x == "a"', 'platform.release == "1"',
    'python_version >= "3.8" and(python_version < "4")', 'os_name == "nt"and"x" in os_name',
    "os_name == 'x'andos_name=='y'", "os_name in'posix'", "os_nameé == 'x'", "é os_name == 'x'",
    'os_name == "nt" and ()', '()', '(', ')', 'and', "'a' 'b'", 'os_name in in "x"',
    'os_name <> "nt"', 'os_name =! "nt"', 'os_name === === "nt"',
]

ENVIRONMENTS = {}


def _env(name, **values):
    ENVIRONMENTS[name] = values


_env("linux-cp311", implementation_name="cpython", implementation_version="3.11.7",
     os_name="posix", platform_machine="x86_64", platform_release="6.1.0-18-amd64",
     platform_system="Linux", platform_version="#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1",
     python_full_version="3.11.7", platform_python_implementation="CPython",
     python_version="3.11", sys_platform="linux")
_env("linux-cp38-aarch64", implementation_name="cpython", implementation_version="3.8.18",
     os_name="posix", platform_machine="aarch64", platform_release="5.15.0-1051-aws",
     platform_system="Linux", platform_version="#56~20.04.1-Ubuntu SMP",
     python_full_version="3.8.18", platform_python_implementation="CPython",
     python_version="3.8", sys_platform="linux")
_env("mac-cp312", implementation_name="cpython", implementation_version="3.12.1",
     os_name="posix", platform_machine="arm64", platform_release="23.2.0",
     platform_system="Darwin", platform_version="Darwin Kernel Version 23.2.0",
     python_full_version="3.12.1", platform_python_implementation="CPython",
     python_version="3.12", sys_platform="darwin")
_env("windows-cp310", implementation_name="cpython", implementation_version="3.10.11",
     os_name="nt", platform_machine="AMD64", platform_release="10",
     platform_system="Windows", platform_version="10.0.19045",
     python_full_version="3.10.11", platform_python_implementation="CPython",
     python_version="3.10", sys_platform="win32")
_env("linux-cp313t-dev", implementation_name="cpython", implementation_version="3.13.0",
     os_name="posix", platform_machine="x86_64", platform_release="6.8.0",
     platform_system="Linux", platform_version="#1 SMP",
     python_full_version="3.13.0+", platform_python_implementation="CPython",
     python_version="3.13", sys_platform="linux")
_env("linux-cp314rc", implementation_name="cpython", implementation_version="3.14.0rc1",
     os_name="posix", platform_machine="x86_64", platform_release="6.8.0",
     platform_system="Linux", platform_version="#1 SMP",
     python_full_version="3.14.0rc1", platform_python_implementation="CPython",
     python_version="3.14", sys_platform="linux")
_env("linux-pypy310", implementation_name="pypy", implementation_version="7.3.15",
     os_name="posix", platform_machine="x86_64", platform_release="5.10.0",
     platform_system="Linux", platform_version="#1 SMP",
     python_full_version="3.10.13", platform_python_implementation="PyPy",
     python_version="3.10", sys_platform="linux")
_env("odd-values", implementation_name="", implementation_version="foo",
     os_name="", platform_machine="", platform_release="",
     platform_system="", platform_version="",
     python_full_version="3.9.0b2", platform_python_implementation="",
     python_version="3.9", sys_platform="")

EXTRA_VALUES = ["", "test", "Test_Extra", "test-extra", "TEST", "a", "dev", "x.y"]


def error_of(exc):
    # str() holds packaging's message, the input and the `~~~^` span line.
    return {"type": type(exc).__name__, "text": str(exc)}


def requirement_case(text):
    case = {"input": text}
    try:
        r = Requirement(text)
    except Exception as exc:  # noqa: BLE001 - the oracle records whatever packaging raises
        case["error"] = error_of(exc)
        return case
    try:
        case["str"] = str(r)
    except ValueError as exc:
        case["str_error"] = str(exc)
    case["name"] = r.name
    case["extras"] = sorted(r.extras)
    case["specifier"] = str(r.specifier)
    case["url"] = r.url
    if r.marker is not None:
        try:
            case["marker"] = str(r.marker)
        except ValueError as exc:
            case["marker_error"] = str(exc)
    return case


def marker_case(text):
    case = {"input": text}
    try:
        m = Marker(text)
    except Exception as exc:  # noqa: BLE001
        case["error"] = error_of(exc)
        return case
    try:
        case["str"] = str(m)
    except ValueError as exc:
        case["str_error"] = str(exc)
        return case
    results = {}
    for env_name, env in ENVIRONMENTS.items():
        row = []
        for extra in EXTRA_VALUES:
            try:
                row.append(m.evaluate({**env, "extra": extra}))
            except Exception as exc:  # noqa: BLE001
                row.append({"type": type(exc).__name__, "text": str(exc)})
        results[env_name] = row
    case["evaluate"] = results
    return case


def requirement_inputs():
    seen = set()
    for name, extras, spec, tail in itertools.product(NAMES[:3], EXTRAS, SPECIFIERS, MARKER_TAILS[:4]):
        yield f"{name}{extras}{spec}{tail}"
    for name, spec, tail in itertools.product(NAMES, SPECIFIERS, MARKER_TAILS):
        yield f"{name}{spec}{tail}"
        yield f"{name} {spec} {tail}"
    for name, extras, url in itertools.product(NAMES[:4], EXTRAS[:5], URLS):
        yield f"{name}{extras} {url}"
        yield f"{name}{extras}{url}"
    yield from EXTRA_REQUIREMENTS
    for m in MARKERS:
        yield f"foo; {m}"
    return seen


def equality_pairs(requirements):
    parsed = []
    for text in requirements:
        try:
            parsed.append((text, Requirement(text)))
        except Exception:  # noqa: BLE001
            pass
    groups = {}
    for text, r in parsed:
        try:
            key = str(r.name).lower()[:1]
        except Exception:  # noqa: BLE001
            continue
        groups.setdefault(key, []).append((text, r))
    pairs = []
    extra_pairs = [
        ("Foo_Bar>=1.0", "foo-bar>=1.0"), ("foo==1.0", "foo==1.0.0"), ("foo[A,b]", "foo[B,a]"),
        ("foo[Test_Extra]", "foo[test-extra]"), ("foo>=1,<2", "foo<2,>=1"), ("foo", "foo "),
        ("foo; extra=='A'", "foo; extra=='a'"), ("foo @ u", "foo@u"), ("foo @ u", "foo @ v"),
        ("foo; os_name=='a'", "foo; os_name=='b'"), ("foo;(os_name=='a')", "foo;os_name=='a'"),
        ("foo>=1.0", "foo>=1.0,>=1.0"), ("foo==1.0", "foo===1.0"), ("foo", "bar"),
        ("foo[a]", "foo"), ("foo!=1.0.*", "foo!=1.0.0.*"), ("foo~=1.0", "foo~=1.0.0"),
    ]
    for a, b in extra_pairs:
        pairs.append({"a": a, "b": b, "equal": Requirement(a) == Requirement(b)})
    for items in groups.values():
        for (ta, ra), (tb, rb) in itertools.islice(itertools.combinations(items[:60], 2), 0, None, 7):
            pairs.append({"a": ta, "b": tb, "equal": ra == rb})
    return pairs


def word_table():
    word = re.compile(r"\w")
    ranges, start = [], None
    for cp in range(0x80, 0x110000):
        match = bool(word.match(chr(cp)))
        if match and start is None:
            start = cp
        if not match and start is not None:
            ranges.append((start, cp - 1))
            start = None
    if start is not None:
        ranges.append((start, 0x10FFFF))
    lines = ["// Generated by tools/gen_pep508_vectors.py --word-table: "
             f"Python {sys.version_info.major}.{sys.version_info.minor} re `\\w` above U+007F."]
    for i in range(0, len(ranges), 5):
        lines.append("    " + " ".join("{0x%X, 0x%X}," % r for r in ranges[i:i + 5]))
    WORD_TABLE.write_text("\n".join(lines) + "\n")


def main():
    if "--word-table" in sys.argv:
        word_table()
        return
    requirements = list(dict.fromkeys(requirement_inputs()))
    data = {
        "generator": "tools/gen_pep508_vectors.py",
        "packaging_version": packaging.__version__,
        "python_version": sys.version.split()[0],
        "environments": ENVIRONMENTS,
        "extra_values": EXTRA_VALUES,
        "requirements": [requirement_case(t) for t in requirements],
        "markers": [marker_case(t) for t in dict.fromkeys(MARKERS)],
        "equality": equality_pairs(requirements),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"{OUT}: {len(data['requirements'])} requirements, {len(data['markers'])} markers, "
          f"{len(data['equality'])} equality pairs, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
