#!/usr/bin/env python3
"""Repository lint: whitespace, final newlines, CRLF, and the module include layering.

The dependency rule (docs/ARCHITECTURE.md) says which module may include which; this script
reads every `#include "mlstack/<module>/..."` under src/ and fails on an edge the rule does
not allow, in the spirit of ninja's misc/ci.py.
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# module -> modules it may include directly (besides itself). Transitive use goes through
# the allowed modules' headers, which is fine.
ALLOWED = {
    "base": set(),
    "io": {"base"},
    "rootfs": {"base", "io"},
    "elf": {"base", "io"},
    "names": {"base"},
    "pep440": {"base", "names"},
    "pep508": {"base", "names", "pep440"},
    "metadata": {"base", "names", "pep440", "pep508"},
    "facts": {"base", "names", "pep440", "pep508", "metadata"},
    "tags": {"base", "facts"},
    "lockfile": {"base", "names", "pep440", "pep508", "facts", "tags"},
    "cudalibs": {"base", "io", "elf", "pep440", "facts"},
    "loader": {"base", "io", "elf"},
    "frameworks": {"base", "io", "elf", "names", "pep440", "pep508", "facts"},
    "linkmap": {"base", "io", "elf", "names", "pep440", "facts", "cudalibs", "loader"},
    "gpu": {"base", "io", "facts"},
    "pyenv": {"base", "io", "elf", "names", "pep440", "pep508", "metadata", "facts", "tags"},
    "probe": {"base", "io", "facts", "pyenv"},
    "rules": {"base", "names", "pep440", "pep508", "metadata", "facts", "tags"},
    "resolve": {"base", "io", "names", "pep440", "pep508", "facts", "tags", "lockfile", "pyenv",
                "rules"},
    "kb": {"base", "names", "pep440", "facts", "rules"},
    "spec": {"base", "names", "pep440", "pep508"},
    "plan": {"base", "names", "pep440", "pep508", "kb", "spec"},
    "report": {"base", "names", "pep440", "pep508", "facts", "rules"},
    "html": {"base", "names", "pep440", "pep508", "facts", "rules", "report"},
    "prometheus": {"base", "names", "pep440", "pep508", "facts", "rules", "report"},
    "nfd": {"base", "names", "pep440", "pep508", "facts", "rules", "report"},
    "junit": {"base", "names", "pep440", "pep508", "facts", "rules", "report"},
    "launch": {"base", "io", "pep440", "kb"},
    "image": {"base", "elf", "pyenv", "lockfile"},
    "tensors": {"base", "io"},
    "compare": {"base", "tensors"},
    "cli": None,  # may include everything
}
PURE = {"names", "pep440", "pep508", "metadata", "facts", "tags", "lockfile", "spec", "plan",
        "html", "prometheus", "nfd", "junit"}
IO_HEADERS = re.compile(r'#include <(fstream|iostream|cstdio|filesystem|unistd\.h|dirent\.h|fcntl\.h)>')
INCLUDE = re.compile(r'#include "mlstack/([a-z0-9_]+)/')


def tracked_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return [ROOT / p for p in out.splitlines() if (ROOT / p).is_file()]


def main() -> int:
    problems = []
    for path in tracked_files():
        rel = path.relative_to(ROOT)
        if rel.parts[0] in ("build",) or rel.suffix in (".json", ".txt") and "data" in rel.parts:
            continue
        if rel.suffix not in (".cpp", ".hpp", ".py", ".md", ".txt", ".cmake", ".sh", ".toml",
                              ".json", "") and rel.name not in ("Makefile", "run"):
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            if "data" in rel.parts:
                continue
            problems.append(f"{rel}: not UTF-8")
            continue
        if "data" in rel.parts or "golden" in rel.parts or rel.parts[:2] == ("tests", "cli"):
            continue
        if "\r\n" in text:
            problems.append(f"{rel}: CRLF line endings")
        if text and not text.endswith("\n"):
            problems.append(f"{rel}: no final newline")
        for n, line in enumerate(text.split("\n"), 1):
            if line.rstrip(" \t") != line:
                problems.append(f"{rel}:{n}: trailing whitespace")
        if rel.parts[:2] == ("src", "mlstack") and len(rel.parts) > 3:
            module = rel.parts[2]
            allowed = ALLOWED.get(module, set())
            for n, line in enumerate(text.split("\n"), 1):
                m = INCLUDE.search(line)
                if m and allowed is not None and m.group(1) != module and m.group(1) not in allowed:
                    problems.append(f"{rel}:{n}: module `{module}` may not include "
                                    f"`{m.group(1)}` (docs/ARCHITECTURE.md)")
                if m and m.group(1) == "cli" and module != "cli":
                    problems.append(f"{rel}:{n}: nothing includes `cli`")
                if module in PURE and IO_HEADERS.search(line):
                    problems.append(f"{rel}:{n}: pure module `{module}` includes an I/O header")
    for p in problems:
        print(p)
    print(f"lint: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
