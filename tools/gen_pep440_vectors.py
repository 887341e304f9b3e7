#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate tests/data/pep440/vectors.json: the oracle corpus for mlstack's pep440 module.

Run with the reference interpreter, whose pip vendors the packaging version mlstack follows:

    /opt/refvenv/bin/python tools/gen_pep440_vectors.py > tests/data/pep440/vectors.json

Every expectation comes from ``pip._vendor.packaging``; the generator only chooses inputs
(deterministically, fixed seed). Numbers have any size, as Python's int; a number of more
than 4,300 digits (Python's default ``int()`` limit) makes packaging raise ``ValueError``:
such a case carries ``"int_limit": true`` (a version that mlstack rejects with
``ErrorCode::unsupported``, a specifier that it accepts with ``exceeds_int_limit()``).
Where mlstack deviates on purpose, the case carries ``"deviation"`` and the expectation
mlstack implements:

- ``crash``: packaging accepts the specifier but raises on use (non-ASCII letters that
  Python's case-insensitive regex folds onto ASCII ones); mlstack rejects it at parse.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys

import pip
from pip._vendor import packaging
from pip._vendor.packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from pip._vendor.packaging.version import InvalidVersion, Version

U64_MAX = 2**64 - 1
BIG = str(2**64)  # one past 64 bits
BIG40 = "1234567890123456789012345678901234567890"  # a 40-digit number
LONG = "7" * 4301  # one digit past Python's int() limit
SEED = int(os.environ.get("PEP440_SEED", "440"))  # another seed: a fresh differential run

# From pypa/packaging tests/test_version.py (VERSIONS, normalization and invalid cases).
PACKAGING_VERSIONS = [
    "1.0.dev0", "1.0.dev456", "1.0.dev456+local", "1.0a0", "1.0a0.post0.dev0", "1.0a0.post0",
    "1.0a1.dev1", "1.0a1.dev1+local", "1.0a1", "1.0a1+local", "1.0b0", "1.0b1.dev456", "1.0b2",
    "1.0b2.post345.dev456", "1.0b2.post345", "1.0b2-346", "1.0rc0", "1.0rc1.dev1", "1.0c1",
    "1.0rc2", "1.0", "1.0.post0.dev0", "1.0.post0", "1.0.post456.dev34", "1.0.post456",
    "1.0.post456+local", "1.0.1.dev1", "1.0.1a1", "1.0.1", "1.0.1+local", "1.0.1.post1",
    "1.1.dev1", "1.2+a", "1.2+abc", "1.2+abcdef", "1.2+def", "1.2+0", "1.2+1", "1.2+1.abc",
    "1.2+1.1", "1.2+1.1.0", "1.2+2", "1.2+123", "1.2+123456", "1.2.r32+123456",
    "1.2.rev33+123456",
]
PACKAGING_VERSIONS += ["1!" + v for v in PACKAGING_VERSIONS]

CURATED_VERSIONS = [
    # Invalid ones from packaging's tests.
    "french toast", "1.0+a+", "1.0++", "1.0+_foobar", "1.0+foo&asd", "1.0+1+1", "1. 0", "1 .0",
    "1. 0a1", "1 .0a1", "1.0 a1", "1.0a 1", "\u0660\u0661\u0662.\u0663", ".", "..", "1..0",
    "1.0.", ".1.0", "1..2.3", "1.0+\u0130", "",
    # Spellings and separators.
    "1.0dev", "1.0.dev", "1.0-dev1", "1.0DEV", "1.0.a1", "1.0-alpha1", "1.0ALPHA", "1.0.B1",
    "1.0beta", "1.0c", "1.0-RC1", "1.0preview2", "1.0.pre3", "1.0post", "1.0-5", "1.0-r5",
    "1.0-rev5", "1.0r", "1.0rev", "1.0+AbC", "1.01", "1.0a05", "1.0c056", "1.0.post000",
    "1.1.dev09000", "00!1.2", "0100!0.0", "v1.0", "   v1.0\t\n", "\u202f1.0\t\u2029\n ",
    "V1.0", "vv1.0", "v", "1!", "!1", "1!!1", "1.0a.post.dev", "1.0a-1", "1.0a.-1", "1.0-",
    "1.0-a", "1.0_a_1", "1.0-post-1", "1.0.post.1.dev.2", "1.0-1-1", "1.0-1.dev", "1.0.r",
    "1.0re", "1.0al", "1.0prev", "1.0rc", "1.0rcc", "1.0a1b1", "1.0a1.post1.post2",
    "1.0.dev1.dev2", "1.0dev1post1", "1.0+a.b-c_d", "1.0+a..b", "1.0+a.", "1.0+.a", "1.0+",
    "1.0+a+b", "1.0+ABC-DEF_1", "1.0+0a", "1.0+a0", "1.0+000", "1.0+00.0", "+1.0", "1.0 ",
    " 1.0", "\x1c1.0\x1f", "\u00a01.0\u0085", "\u30001.0", "1.0\u200b", "1,0", "1.0;", "1.0)",
    "0", "0.0", "0.0.0.0.0.0", "2023.10.01", "1.2.3.4.5.6.7.8.9.10", "1.0.0+local.1.2.x",
    str(U64_MAX), "1." + str(U64_MAX), BIG, "1." + BIG, "1.0a" + BIG, "1.0.post" + BIG,
    "1.0.dev" + BIG, BIG + "!1.0", "1.0+" + BIG, "1.0+" + str(U64_MAX), "0" * 30 + "1",
    "1." + "9" * 40, "1.0a" + str(U64_MAX), "1.0-" + str(U64_MAX), "1." + "0" * 25,
    "1.0.\u017fpost", "1.0\u0130", "1.0.dev\u0131",
    # Numbers past 64 bits (any size, as Python's int) and past int()'s 4,300-digit limit.
    "1.0." + BIG, "1.0." + BIG + "+cu121", "2." + BIG40 + "+cu121", BIG40 + "!" + BIG40,
    "1.0rc" + BIG40 + ".post" + BIG40 + ".dev" + BIG40 + "+" + BIG40 + ".cu121",
    "1." + str(2**63 - 1), "1." + str(2**63), "1.0+" + "0" * 40, "0" * 40 + "!" + "0" * 40,
    "1." + LONG, LONG + "!1", "1.0a" + LONG, "1.0-" + LONG,
    "1.0.post" + LONG, "1.0.dev" + LONG, "1.0+" + LONG, "1.0+x." + LONG, "1." + "0" * 4301,
    "1." + LONG + "x", " 1." + LONG + " ", "1.." + LONG, "1." + LONG + ".", "v1." + LONG,
]

PIECES = {
    "lead": ["", "", "", "v", "V", " ", "\t", "\u3000", "\n "],
    "epoch": ["", "", "", "", "", "", "0!", "1!", "00!", "2!", str(U64_MAX) + "!", BIG + "!", "!"],
    "num": ["0", "1", "2", "01", "10", "9", "999", "20230101", "0000", "3", "5", "11", "0",
            "1", "2", str(U64_MAX), BIG],
    "pre": ["", "", "", "a", "A1", ".alpha2", "-beta", "_b3", "preview", "PRE.4", "c", "rc-5",
            "rc.", "a-", "b_", ".c.7", "-RC_08", "alpha.", "Beta-", "pr", "rcc"],
    "post": ["", "", "", "-1", ".post", "post2", "-r3", "_rev", ".post.", "-post-7", "r",
             "REV.4", ".r", "-", "-0", "_post_", "posts"],
    "dev": ["", "", "", ".dev", "dev1", "-DEV-2", "_dev.", ".dev0", "dev_", "Dev", ".de"],
    "local": ["", "", "", "+abc", "+1", "+ABC.1-2_x", "+0", "+00", "+", "+a.", "+a..b",
              "+ubuntu-1", "+" + BIG, "+cu121", "+g1234abc.dirty", "+1.2.3", "+a+b", "+_x",
              "", "", "", "+Z9", "+1a.B2"],
    "trail": ["", "", "", "", "", "", "", "", " ", "\t\n", "\u2029", "x", ".", "*", ";"],
}
MUTATION_ALPHABET = list(".-_+!vV0123456789aAbBcCdeEilopPrRstvx *;),\t")


def try_version(text: str) -> Version | None:
    try:
        return Version(text)
    except (InvalidVersion, ValueError):
        return None


def version_case(text: str) -> dict:
    try:
        v = Version(text)
    except InvalidVersion:
        return {"input": text, "ok": False}
    except ValueError:  # int() of more than 4,300 digits
        return {"input": text, "ok": False, "int_limit": True}
    return {
        "input": text,
        "ok": True,
        "str": str(v),
        "public": v.public,
        "base": v.base_version,
        "local": v.local or "",
        "canonical": packaging.utils.canonicalize_version(v),
        "flags": "".join(
            "1" if f else "0" for f in (v.is_prerelease, v.is_postrelease, v.is_devrelease)
        ),
    }


def random_version(rng: random.Random) -> str:
    release = ".".join(rng.choice(PIECES["num"]) for _ in range(rng.randint(1, 4)))
    parts = [rng.choice(PIECES["lead"]), rng.choice(PIECES["epoch"]), release]
    parts += [rng.choice(PIECES[k]) for k in ("pre", "post", "dev", "local", "trail")]
    return "".join(parts)


def mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(3)
        pos = rng.randint(0, len(chars))
        if op == 0 or not chars:
            chars.insert(pos, rng.choice(MUTATION_ALPHABET))
        elif op == 1:
            del chars[min(pos, len(chars) - 1)]
        else:
            chars[min(pos, len(chars) - 1)] = rng.choice(MUTATION_ALPHABET)
    return "".join(chars)


def spec_case(text: str) -> dict:
    try:
        s = Specifier(text)
    except InvalidSpecifier:
        return {"input": text, "ok": False}
    op, ver = s.operator, s.version
    if op != "===":
        try:
            s.contains("1.0")
            hash(s)
        except AssertionError:
            return {"input": text, "ok": False, "deviation": "crash"}
        except ValueError:  # int() of more than 4,300 digits, raised on use only
            return {"input": text, "ok": True, "str": str(s), "op": op, "version": ver,
                    "int_limit": True}
    try:
        pre = s.prereleases
    except ValueError:  # `===` on a version past int()'s limit: parsed for prereleases only
        return {"input": text, "ok": True, "str": str(s), "op": op, "version": ver,
                "int_limit": True}
    return {"input": text, "ok": True, "str": str(s), "op": op, "version": ver,
            "prereleases": pre}


def set_case(text: str) -> dict:
    try:
        ss = SpecifierSet(text)
    except InvalidSpecifier:
        return {"input": text, "ok": False}
    size = len(ss)  # before str(), which sorts and deduplicates the specifiers in place
    for s in ss:
        case = spec_case(str(s))
        if not case["ok"]:
            return {"input": text, "ok": False, "deviation": case.get("deviation", "?")}
        if case.get("int_limit"):
            return {"input": text, "ok": True, "int_limit": True, "size": size}
    return {"input": text, "ok": True, "str": str(ss), "prereleases": ss.prereleases,
            "size": size}


def contains_code(obj, item, as_version: bool) -> str:
    """Three characters: contains(item, prereleases=None/True/False) as T/F."""
    out = ""
    target = Version(item) if as_version else item
    for pre in (None, True, False):
        out += "T" if obj.contains(target, prereleases=pre) else "F"
    return out


def main() -> None:
    rng = random.Random(SEED)

    # --- versions: parse, str, properties --------------------------------------------------
    inputs = list(dict.fromkeys(PACKAGING_VERSIONS + CURATED_VERSIONS))
    generated = [random_version(rng) for _ in range(1500)]
    short = [t for t in inputs + generated if len(t) < 100]  # mutating a LONG one adds little
    mutated = [mutate(rng, rng.choice(short)) for _ in range(1200)]
    inputs = list(dict.fromkeys(inputs + generated + mutated))
    version_cases = [version_case(t) for t in inputs]

    # --- ordering: ranks over a shuffled set of valid versions -------------------------------
    valid = [c["input"] for c in version_cases if c["ok"]]
    pool = list(dict.fromkeys(PACKAGING_VERSIONS + rng.sample(valid, min(260, len(valid)))))
    rng.shuffle(pool)
    parsed = sorted({Version(t) for t in pool})
    rank = {v: i for i, v in enumerate(parsed)}
    ordering = [[t, rank[Version(t)]] for t in pool]

    # --- specifiers ---------------------------------------------------------------------------
    spec_versions = [
        "0", "0.dev0", "1", "1.0", "1.0.0", "2.0", "2", "1.0a1", "1.0.dev1", "1.0.post1",
        "1.0rc1.post2.dev3", "1!1.0", "0!1.0", "01.0", "1.0.0.0", "2.1.3", "1.0.post1.dev2",
        "1.0-1", "V1.0", "1.0A1", "1.0.POST1", "1.0a1.post1", "1.0b2.dev1",
    ]
    local_versions = ["1.0+abc", "1.0+ABC.1", "1.0.0+abc-1", "1.0+0", "1!1.0+x"]
    wild_versions = ["1", "1.0", "1.0.0", "0", "1!1", "2", "1.1", "v1"]
    spec_inputs = []
    for op in ("~=", "==", "!=", "<=", ">=", "<", ">"):
        spec_inputs += [op + v for v in spec_versions]
        spec_inputs += [op + v for v in local_versions]
        spec_inputs += [op + v + ".*" for v in wild_versions]
        spec_inputs += [op + " " + v for v in ("1.0", "2.0a1")]
    spec_inputs += [
        "===1.0", "===1.0a1", "===foo", "===FOO", "===", "=== 1.0", "===1.0+abc", "===1.01",
        "===1.0 x", "===a;b", "===a)b", "====1", "===1.0\u2003", "===1.0.dev0", " === Foo ",
        "==1.0a1.*", "==1.0.*.*", "==1.*+a", "~=1", "~=1.*", "~=1.0+a", ">=1.0+a", "=1.0",
        "=>1.0", "1.0", "==", "", "  ", ">= 1.0 ", "\t<\t2\n", "== v1.0", "==1.0 .*",
        "==1. 0", "< =1", ">=1.0;", "~=1.0\u017fpost1", "~=1.0.po\u017ft1", "~=1.0pr\u0131view",
        "==1.0.po\u017ft1", ">=" + BIG, "==1." + BIG + ".*", "~=1.0.post" + BIG, "<" + BIG,
        ">=1.0,", "!=1.0.*", "==1.0.dev1.*", "~=1.0.*", "<1.0.*", "~=2022.01.01",
        "~=1!1.0", "== 1.0+abc", "==1.0+AbC", "<=1.0+abc", ">1.0.dev0", "<0", "<0.0",
        "<0.dev0", ">1!0", "==\u00a01.0",
        # Numbers past 64 bits, and past int()'s limit (accepted; packaging raises on use).
        "==1.0." + BIG, "==1.0." + BIG + "+cu121", "!=1.0." + BIG, ">=" + BIG40, "<=" + BIG40,
        ">" + BIG40, "<1." + BIG40, "~=1." + BIG40, "~=" + BIG40 + "." + BIG,
        "==" + BIG40 + ".*", "!=1." + BIG40 + ".*", "==1." + BIG + ".*", ">1.0.post" + BIG,
        "<1.0rc" + BIG40, ">=1.0.dev" + BIG40, "==" + BIG + "!1.0", "===1.0." + BIG,
        "==1.0+" + BIG40, "==1." + str(U64_MAX) + ".*", "==1." + LONG, "==1." + LONG + ".*",
        ">=1.0a" + LONG, "~=1." + LONG, "===1." + LONG, "==1.0+" + LONG,
    ]
    short_specs = [t for t in spec_inputs if len(t) < 100]
    for _ in range(400):
        base = rng.choice(short_specs)
        spec_inputs.append(mutate(rng, base))
    spec_inputs = list(dict.fromkeys(spec_inputs))
    spec_cases = [spec_case(t) for t in spec_inputs]

    # --- contains matrix -----------------------------------------------------------------------
    matrix_specs = [c["input"] for c in spec_cases if c["ok"] and not c.get("int_limit")]
    matrix_specs = list(dict.fromkeys(matrix_specs))
    rng.shuffle(matrix_specs)
    matrix_specs = matrix_specs[:230]
    probe_versions = list(dict.fromkeys(
        [
            "0", "0.dev0", "0.0", "0a1", "0.post1", "0.9", "0.9.post1", "1", "1.0", "1.0.0",
            "1.0.0.0", "1.0+abc", "1.0+ABC.1", "1.0+abc.1", "1.0+abc-1", "1.0.0+abc-1", "1.0+0",
            "1.0+1", "1.0.dev0", "1.0.dev1", "1.0.dev1+x", "1.0.dev2", "1.0a1", "1.0a1+x",
            "1.0a1.post1", "1.0a2", "1.0a2.dev0", "1.0b1", "1.0b2.dev1", "1.0rc1", "1.0c1",
            "1.0rc1.post2.dev3", "1.0.post0", "1.0.post1", "1.0.post1+x", "1.0.post1.dev1",
            "1.0.post1.dev2", "1.0.post2", "1.0.1", "1.0.1a1", "1.1", "1.1.dev0", "1.1a1",
            "1.9", "1.10", "2", "2.0", "2.0a1", "2.0.dev0", "2.0.post1", "2.1", "2.1.3",
            "2.1.3+l", "3", "10", "1!0", "1!1.0", "1!1.0+x", "1!1.0a1", "1!2", "0!1.0",
            "01.0", "v1.0", "V1.0", " 1.0", "1.0 ", "1.0A1", "1.0.POST1", "1.0-1", "1.01",
            "2022.01.01", "2022.1.1", "2022.2", "foo", "FOO", "Foo", "", "1.0.x", "1..0",
            "1.0+", "a1.0", "1.0.dev0+abc", "0.0.dev0", "1.0+AbC",
            "1.0." + BIG, "1.0." + BIG + "+cu121", "1.0." + BIG + ".post1", "1.0." + str(U64_MAX),
            "1." + BIG40, "1." + BIG40 + ".5", "1." + BIG40 + "a1", "1." + BIG40 + "+cu121",
            BIG40, BIG40 + ".0.1", "1.0.post" + BIG, "1.0rc" + BIG40, "1.0.dev" + BIG40,
            BIG + "!1.0", "1.0+" + BIG40, "1." + BIG, "1." + str(2**64 + 1),
        ]
    ))
    spec_objs = {t: Specifier(t) for t in matrix_specs}
    spec_contains = []
    for t in matrix_specs:
        row = ""
        for item in probe_versions:
            row += contains_code(spec_objs[t], item, False)
            row += contains_code(spec_objs[t], item, True) if try_version(item) else "---"
        spec_contains.append(row)

    # --- specifier equality --------------------------------------------------------------------
    eq_pool = [c["input"] for c in spec_cases if c["ok"] and not c.get("int_limit")]
    eq_pool = rng.sample(eq_pool, min(120, len(eq_pool))) + [
        "==1.0", "==1.0.0", "== 1", "==01.0", "~=1.0", "~=1.0.0", "===1.0", "===1.0.0",
        "===FOO", "===foo", "==1.0.*", "==1.*", "==v1.0", "==1.0+abc", "==1.0.0+ABC",
        ">=1.0a1", ">=1.0.0alpha1", "<=2!1.0", "<=2!1",
    ]
    eq_pool = list(dict.fromkeys(eq_pool))
    spec_equal = []
    for a, b in itertools.combinations(eq_pool, 2):
        eq = Specifier(a) == Specifier(b)
        if eq or rng.random() < 0.04:
            spec_equal.append([a, b, eq])

    # --- specifier sets ---------------------------------------------------------------------------
    set_inputs = [
        "", " ", ",", " , ,", ">=1.0", ">=1.0,<2.0", "<2.0,>=1.0", " >=1.0 , < 2.0 ,",
        ">=1.0,!=1.5.*,<2", "~=1.4.2,!=1.4.5", "==1.0,==1.0.0", ">=1.0,>=1.0.0,>=1.00",
        ">=01.0,>=1.0", "===foo", "===foo,===FOO", "===1.0,>=1.0", "===1.0a1,>=0",
        ">=1.0a1", ">=1.0,<2.0a1", "!=1.0a1", "==1.*,!=1.0a1", "<=2,>=1,!=1.5,!=1.6",
        ">1.0,<1.0", ">=2.0,<1.0", "==1.0+abc,==1.0", "~=1.0,==1.0.*", "1.0", ">=1.0,,<2",
        ">=1.0;", ">=1.0, foo", "==1.0.*+a", ">= 1.0,< 2.0\t", "\u3000>=1.0\u3000,<2",
        ">=1.0.dev0", ">1.0.post1,<1.0.post3", "<1.0.post1", ">1!0", "<1!0,>0", "===",
        "===,>=1", ">=1.0,===1.0+abc", ">=" + BIG, ">=1.0,~=1.0\u017fpost1",
        ">=1.0." + BIG + ",<1.0." + BIG40, "==1." + BIG40 + ".*,!=1." + BIG40 + ".5",
        "~=1." + BIG40 + ",!=1." + BIG40 + "+cu121", ">=1,==1." + LONG,
        "==1.0." + BIG + ",==1.0." + BIG + ".0,==1.00." + BIG,
    ]
    for _ in range(350):
        n = rng.randint(1, 4)
        parts = [rng.choice(matrix_specs) for _ in range(n)]
        sep = rng.choice([",", ", ", " ,", " , "])
        set_inputs.append(sep.join(parts))
    short_sets = [t for t in set_inputs if len(t) < 200]
    for _ in range(80):
        set_inputs.append(mutate(rng, rng.choice(short_sets)))
    set_inputs = list(dict.fromkeys(set_inputs))
    set_cases = [set_case(t) for t in set_inputs]

    matrix_sets = [c["input"] for c in set_cases if c["ok"] and not c.get("int_limit")][:260]
    set_contains = []
    for t in matrix_sets:
        ss = SpecifierSet(t)
        row = ""
        for item in probe_versions:
            row += contains_code(ss, item, False)
            row += contains_code(ss, item, True) if try_version(item) else "---"
        set_contains.append(row)

    set_equal = []
    eq_sets = [c["input"] for c in set_cases if c["ok"] and not c.get("int_limit")]
    for a, b in itertools.combinations(eq_sets[:160], 2):
        eq = SpecifierSet(a) == SpecifierSet(b)
        if eq or rng.random() < 0.01:
            set_equal.append([a, b, eq])

    corpus = {
        "generator": "tools/gen_pep440_vectors.py",
        "packaging_version": packaging.__version__,
        "pip_version": pip.__version__,
        "python_version": sys.version.split()[0],
        "seed": SEED,
        "note": "contains codes: 3 chars for prereleases=None/True/False on the text, then 3 "
        "on Version(text) ('---' when the text is not a version)",
        "versions": version_cases,
        "ordering": ordering,
        "specifiers": spec_cases,
        "probe_versions": probe_versions,
        "specifier_contains": {"specifiers": matrix_specs, "rows": spec_contains},
        "specifier_equal": spec_equal,
        "specifier_sets": set_cases,
        "set_contains": {"sets": matrix_sets, "rows": set_contains},
        "set_equal": set_equal,
    }
    json.dump(corpus, sys.stdout, ensure_ascii=False, indent=0, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
