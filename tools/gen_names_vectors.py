#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate tests/data/names/python_case.json: Python's own answers for mlstack's names module.

Run with the reference interpreter (its pip vendors the packaging mlstack follows):

    build/refvenv/bin/python tools/gen_names_vectors.py > tests/data/names/python_case.json

Every expectation comes from Python itself (``str.lower()``, ``re``) and from pip's vendored
packaging and importlib.metadata; the generator only chooses inputs (fixed seed):

- ``lower``: every code point whose ``chr(c).lower()`` is not itself, with its lowercase;
  every other code point lowercases to itself.
- ``sigma``: for the code points that are not plain (neither Cased nor Case_Ignorable, as
  ``str.lower()`` sees them through the capital sigma's Final_Sigma context), four probes:
  ``X+"Σ"``, ``"A"+X+"Σ"``, ``"AΣ"+X``, ``"AΣ"+X+"a"``, each 1 when the sigma became final
  ``ς``. Plain code points give ``0011``.
- ``unassigned``: ranges of code points this Python's Unicode database does not know (they
  have no properties here, and may have some in a newer Unicode, as ICU's).
- ``name_class``: the non-ASCII code points that pip's ``[A-Z0-9]`` with ``re.IGNORECASE``
  matches.
- ``names``: sample spellings with ``canonicalize_name``, importlib's ``Lookup`` key of
  ``NAME-1.0.dist-info``, and whether pip's name pattern matches the canonical name.
"""

from __future__ import annotations

import json
import random
import re
import sys
import unicodedata

from pip._vendor.packaging.utils import canonicalize_name
from importlib.metadata import Prepared

SIGMA = "\u03a3"
PIP_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", flags=re.IGNORECASE)
CLASS = re.compile(r"[A-Z0-9]", flags=re.IGNORECASE)
SEED = 508


def code_points():
    return (c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


def sigma_probes(x: str) -> str:
    bits = [
        (x + SIGMA).lower()[-1] == "\u03c2",
        ("A" + x + SIGMA).lower()[-1] == "\u03c2",
        ("A" + SIGMA + x).lower()[1] == "\u03c2",
        ("A" + SIGMA + x + "a").lower()[1] == "\u03c2",
    ]
    return "".join("1" if b else "0" for b in bits)


def lookup_key(folder: str) -> str:
    """importlib.metadata's Lookup: the key a `*.dist-info` child is grouped under."""
    low = folder.lower()
    name = low.rpartition(".")[0].partition("-")[0]
    return Prepared.normalize(name)


def unassigned_ranges():
    out = []
    start = None
    for c in range(0x110000 + 1):
        gap = c < 0x110000 and unicodedata.category(chr(c)) == "Cn"
        if gap and start is None:
            start = c
        elif not gap and start is not None:
            out.append([start, c - 1])
            start = None
    return out


def main() -> None:
    rng = random.Random(SEED)
    lower = [[c, chr(c).lower()] for c in code_points() if chr(c).lower() != chr(c)]
    sigma = []
    for c in code_points():
        probes = sigma_probes(chr(c))
        if probes != "0011":
            sigma.append([c, probes])
    name_class = [c for c in code_points() if c >= 0x80 and CLASS.match(chr(c))]

    interesting = [
        "\u212a", "\u0130", "\u0131", "\u017f", "\u00df", "\u1e9e", SIGMA, "\u03c3", "\u03c2",
        "\uff21", "\uff41", "\uff10", "\u00c9", "\u00e9", "\u0345", "\u02b0", "\u0307",
        "\u00ad", "\u2019", "'", ":", ".", "_", "-", "A", "a", "Z", "0", "9", "K", "k", "S",
        "\u0399", "\u1f88", "\u01c5", "\u2160", "\u24b6", "\U00010400", "\U0001e900",
        "\u0587", "\ufb00", "\u0149", "\u1e96", "\u00aa", "\u2126", "\u212b",
    ]
    samples = [
        "\u212aelvin", "\u0130stanbul", "d\u0131st", "\u017fcipy", "Stra\u00dfe", "STRA\u1e9eE",
        "\u03a3\u0399\u0393\u039c\u0391\u03a3", "\u039f\u0394\u039f\u03a3.\u039b\u0399\u0392",
        "\u039f\u0394\u039f\u03a3_\u039b\u0399\u0392", "\u039f\u0394\u039f\u03a3-\u039b",
        "\uff26\uff55\uff4c\uff4c", "Caf\u00e9", "A\u03a3\u0345", "A\u03a3\u02b0B",
        "A\u00ad\u03a3", "\u03a3", "x\u03a3", "K\u212a", "\u212a", "\u0130", "a.\u212a_b",
    ]
    for _ in range(400):
        samples.append("".join(rng.choice(interesting) for _ in range(rng.randint(1, 7))))
    samples = list(dict.fromkeys(samples))
    names = []
    for s in samples:
        canonical = canonicalize_name(s)
        names.append({
            "name": s,
            "canonical": canonical,
            "lookup_key": lookup_key(s + "-1.0.dist-info"),
            "pip_valid": PIP_NAME.match(canonical) is not None,
        })

    corpus = {
        "generator": "tools/gen_names_vectors.py",
        "python_version": sys.version.split()[0],
        "unicode_version": unicodedata.unidata_version,
        "seed": SEED,
        "lower": lower,
        "sigma": sigma,
        "unassigned": unassigned_ranges(),
        "name_class": name_class,
        "names": names,
    }
    json.dump(corpus, sys.stdout, ensure_ascii=False, indent=0, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
