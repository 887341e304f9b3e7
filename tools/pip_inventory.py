# SPDX-License-Identifier: MIT
"""Print what pip's importlib backend finds on the given paths, as JSON.

    /opt/refvenv/bin/python tools/pip_inventory.py PATH...

One object per distribution of `Environment.from_paths(paths).iter_all_distributions()`
(pip 26.3, importlib backend), in order: canonical_name, version_text (the raw string pip
parses: the directory name's version, else `Version:`), version (str of the parsed version,
or {"error": ...}), location and info_location. Used by tests/unit/pyenv as the oracle.
"""
import json
import sys

from pip._internal.metadata.importlib import Environment
from pip._internal.metadata.importlib._compat import parse_name_and_version_from_info_directory


def main(paths):
    out = []
    for dist in Environment.from_paths(paths).iter_all_distributions():
        try:
            version_text = parse_name_and_version_from_info_directory(dist._dist)[1] or dist._dist.version
        except Exception as e:  # noqa: BLE001 - the oracle reports, it does not judge
            version_text = {"error": str(e)}
        try:
            version = str(dist.version)
        except Exception as e:  # noqa: BLE001
            version = {"error": str(e)}
        out.append({
            "canonical_name": dist.canonical_name,
            "version_text": version_text,
            "version": version,
            "location": dist.location,
            "info_location": dist.info_location,
        })
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
