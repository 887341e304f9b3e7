# SPDX-License-Identifier: MIT
"""Generate tests/data/metadata/vectors.json: what Python and pip make of metadata files.

Run with the reference interpreter (pip 26.3 on Python 3.11):

    /opt/refvenv/bin/python tools/gen_metadata_vectors.py > tests/data/metadata/vectors.json

Every case is written to a temporary `*.dist-info` / `*.egg-info` directory and read back
through the real pipeline, so universal newlines, strict UTF-8 and importlib's header repair
all apply:

- "metadata": `importlib.metadata.PathDistribution(dir).metadata` (compat32 email parsing
  plus `_adapters.Message` re-indentation) and the raw `email.message_from_string` headers.
- "requires": pip's `Distribution.from_directory(egg_info).iter_raw_dependencies()` and
  `metadata.get_all("Provides-Extra")` after `_add_egg_info_requires`.
- "utf8": whether `bytes.decode("utf-8")` succeeds, and its error message.
- "wheel": `email.parser.Parser().parsestr(text).get_all("Tag", [])` as check_unsupported.
"""
import email
import email.parser
import importlib.metadata
import json
import pathlib
import random
import sys
import tempfile

from pip._internal.metadata.importlib import Distribution

HAND_METADATA = [
    "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n\nLong description\n",
    "Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: b>=1\nRequires-Dist: c; extra == 'x'\n",
    "name: lower\nVERSION: 2\nrequires-dist: x\nREQUIRES-DIST: y\n",
    "Name: folded\nRequires-Dist: foo\n  >=1.0\nRequires-Dist:\n        bar\nSummary: a\n\tb\n",
    "Name: nobody\nVersion: 1",
    "Name: x\nVersion: 1\nthis line has no colon\nRequires-Dist: hidden\n",
    "  continuation first\nName: y\nVersion: 2\n",
    "From someone\nName: z\nVersion: 3\n",
    "Name: z\nFrom middle\nVersion: 3\n",
    "Name: z\nVersion: 3\nFrom last\n",
    ": no name\nName: n\n  cont after\n",
    "Name: crlf\r\nVersion: 1\r\nRequires-Dist: a\r\n  b\r\n\r\nbody\r\n",
    "Name: cr\rVersion: 1\rRequires-Dist: q\r",
    "Name:    spaced   \nVersion:\t\t1.0 \n",
    "Name: colon: inside\nVersion: 1\n",
    "\ufeffName: bom\nVersion: 1\n",
    "Name: uni\u00e9\nVersion: 1\nSummary: caf\u00e9 \u2028 x\n",
    "Bad Header: x\nName: later\n",
    "Name: ws-line\n   \nVersion: 1\n",
    "",
    "\n\nName: after-blank\n",
    "Name: t\nRequires-Dist: a\n \tmixed\n\t  tabs\nVersion: 1\n",
    "Name: t\nRequires-Dist:\n\n",
    "Name: dup\nName: dup2\nVersion: 1\nVersion: 2\n",
    "Name: x\x0bvt\nVersion: 1\x0c\n",
    "Metadata-Version: 2.1\nName: x\nVersion: 1\nDescription-Content-Type: text/markdown\n\n# Title\nName: not-a-header\n",
    "Content-Type: multipart/mixed; boundary=XX\nName: mp\nVersion: 1\n\n--XX\nA: b\n\nx\n--XX--\n",
]

FRAGMENTS = [
    "Name: pkg", "Version: 1.0", "Requires-Dist: a", "Requires-Dist: b (>=1)",
    "requires-dist: c ; python_version < '3.8'", "Provides-Extra: test", "Provides-Extra: Dev_Tools",
    "Metadata-Version: 2.1", "Summary: s", "Requires-Python: >=3.8", "  continued", "\tcontinued tab",
    "        deep", "", "   ", "From x", ": v", "Bad Line", "X-Weird!#$: v", "K:", "K:   ",
    "Name:\u00e9t\u00e9", "Requires-Dist: d\u00e9", "Key:value:more", "A:\tb", "\u00e4: x",
]

HAND_REQUIRES = [
    "a\nb>=1\n",
    "a\n[test]\npytest\n[:python_version < '3.8']\nimportlib-metadata\n[Dev_Tools:sys_platform == 'win32']\npywin32\n",
    "# comment\n\n  spaced  \n[ext]\n#c\n[ext]\nx\n",
    "[[double]]\ny\n[]\nz\n[:]\nw\n",
    "url @ https://example.com/x.zip\n[e]\nurl2 @ https://e/y.zip\n",
    "[A.B_c]\nq\n[a-b-c]\nr\n",
    "\u2028odd\u2029lines\x1cx\x85y\n",
    "[x:a:b]\nm\n",
]

REQ_FRAGMENTS = ["a", "b>=1", "  c  ", "# c", "", "[x]", "[X_Y]", "[:os_name == 'nt']",
                 "[z:python_version>'3']", "[", "]", "[]", "d[extra]", "\t e \t"]

UTF8_CASES = [
    b"", b"abc", b"\xff", b"a\xffb", b"\xc3\xa9", b"\xc3", b"\xe2\x82", b"\xe2\x82(",
    b"\xed\xa0\x80", b"\xe0\x80\x80", b"\xf0\x80\x80\x80", b"\xf4\x90\x80\x80", b"\xf5", b"\xc0\xaf",
    b"\xc2\x80", b"\xef\xbb\xbf", b"\xf0\x9f\x98\x80", b"\xf0\x9f\x98", b"\xf0\x9f\x98x",
    b"abcdefghij\xfe", b"\x80", b"12345678\xe2\x82\xac",
]

HAND_WHEEL = [
    "Wheel-Version: 1.0\nGenerator: bdist_wheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    "Tag: cp311-cp311-manylinux_2_17_x86_64\nTag: cp311-cp311-manylinux2014_x86_64\n\n",
    "tag: py2-none-any \nTAG:  py3-none-any\n",
    "Tag: a\n  b\n",
]


def rand_metadata(rng):
    lines = [rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 9))]
    nl = rng.choice(["\n", "\n", "\n", "\r\n", "\r"])
    text = nl.join(lines)
    if rng.random() < 0.7:
        text += nl
    if rng.random() < 0.3:
        text += nl + "Body: text" + nl
    return text


def rand_requires(rng):
    return "\n".join(rng.choice(REQ_FRAGMENTS) for _ in range(rng.randint(0, 8))) + "\n"


def defect_names(msg):
    return [type(d).__name__ for d in msg.defects]


def metadata_case(tmp, index, text):
    info = pathlib.Path(tmp, f"m{index}.dist-info")
    info.mkdir()
    (info / "METADATA").write_bytes(text.encode("utf-8"))
    decoded = (info / "METADATA").read_text(encoding="utf-8")
    raw = email.message_from_string(decoded)
    repaired = importlib.metadata.PathDistribution(info).metadata
    headers = list(vars(repaired)["_headers"])[: len(raw._headers)]
    return {
        "input": text,
        "raw_headers": [[k, v] for k, v in raw._headers],
        "headers": [[k, v] for k, v in headers],
        "defects": defect_names(raw),
        "unixfrom": raw.get_unixfrom(),
    }


def requires_case(tmp, index, text):
    info = pathlib.Path(tmp, f"r{index}.egg-info")
    info.mkdir()
    (info / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: r\nVersion: 1\n")
    (info / "requires.txt").write_bytes(text.encode("utf-8"))
    dist = Distribution.from_directory(str(info))
    return {
        "input": text,
        "requires_dist": list(dist.iter_raw_dependencies()),
        "provides_extra": list(dist.metadata.get_all("Provides-Extra", [])),
    }


def utf8_case(data):
    try:
        data.decode("utf-8")
        error = None
    except UnicodeDecodeError as e:
        error = str(e)
    return {"hex": data.hex(), "error": error}


def wheel_case(text):
    return {"input": text,
            "tags": email.parser.Parser().parsestr(text).get_all("Tag", [])}


def main():
    rng = random.Random(20240601)
    meta_inputs = HAND_METADATA + [rand_metadata(rng) for _ in range(400)]
    req_inputs = HAND_REQUIRES + [rand_requires(rng) for _ in range(150)]
    utf8_inputs = UTF8_CASES + [bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
                                for _ in range(150)]
    with tempfile.TemporaryDirectory() as tmp:
        out = {
            "generator": "tools/gen_metadata_vectors.py",
            "python": sys.version.split()[0],
            "metadata": [metadata_case(tmp, i, t) for i, t in enumerate(meta_inputs)],
            "requires": [requires_case(tmp, i, t) for i, t in enumerate(req_inputs)],
            "utf8": [utf8_case(b) for b in utf8_inputs],
            "wheel": [wheel_case(t) for t in HAND_WHEEL],
        }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
