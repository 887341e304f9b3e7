# SPDX-License-Identifier: MIT
"""mlstack is one native program; this package only finds it (`python -m mlstack`).

The wheel puts the `mlstack` binary in the environment's scripts folder (bin/), where pip, uv
and pipx put console scripts; `binary()` says where it is.
"""
import os
import sys

__all__ = ["binary"]


def _candidates():
    # The scripts folder of the running interpreter's install scheme (a venv's bin/, or
    # /usr/local/bin), then the per-user one (`pip install --user`): sysconfig is cheap.
    import sysconfig

    seen = []
    schemes = [None]
    user_scheme = "posix_user" if os.name == "posix" else "nt_user"
    schemes.append(user_scheme)
    for scheme in schemes:
        try:
            path = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except KeyError:
            continue
        if path and path not in seen:
            seen.append(path)
    # Installed elsewhere (`pip install --target`/`--prefix`): the wheel's RECORD says where.
    try:
        from importlib import metadata

        for f in metadata.distribution("mlstack").files or ():
            if f.name == "mlstack" and f.parent.name in ("bin", "scripts"):
                path = os.path.dirname(os.path.abspath(str(f.locate())))
                if path not in seen:
                    seen.append(path)
    except Exception:  # no metadata (a source checkout on sys.path): nothing more to try
        pass
    return [os.path.join(p, "mlstack") for p in seen]


def binary():
    """The path of the installed mlstack binary; raises FileNotFoundError naming where it looked."""
    tried = _candidates()
    for path in tried:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(
        "the mlstack binary is not installed beside this package; looked for: " + ", ".join(tried)
    )


def main():
    try:
        path = binary()
    except FileNotFoundError as e:
        sys.stderr.write(f"mlstack: {e}\n")
        return 1
    os.execv(path, [path] + sys.argv[1:])
    return 1  # not reached: execv replaces the process
