#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Builds the real-wheel environments the `real` and `real-seed` tests read (tests/real).

Each environment is installed from PyPI with every version pinned (tools/real_envs/<env>.txt,
a constraints file written by `--lock`), into a cache outside the repository
($MLSTACK_REAL_ENVS, default ~/.cache/mlstack/real-envs): wheels are downloaded once into
`wheels/` (shared by all environments; a re-build installs from there without the network),
and an environment is only rebuilt when its pins or recipe change (a stamp holds their hash).
Nothing here is committed but the pins. The install order matters (the wheel installed last
owns a file two wheels share): it is the order of the steps in RECIPES below, one `pip install`
per step, and each pin file's header repeats it.

  seed-cp310           the seed's TensorFlow 2.9.1 + torch 1.12.1 wheels for CPython 3.10,
                       unpacked into a folder (`pip install --target`, no interpreter): ~1.4 GB
                       of wheels. Also built by `make test`, so CI runs its test.
  current              a venv: torch 2.15 (PyPI's CUDA 13 build), TensorFlow 2.21 (plain, no
                       CUDA wheels), jax[cuda13], onnxruntime-gpu, cupy-cuda13x: ~7 GB.
  tf-andcuda-torch13   a venv: torch 2.15 first, then tensorflow[and-cuda] 2.21, whose CUDA 12
                       wheels overwrite nvidia/cudnn/lib and nvidia/nccl/lib files of the CUDA 13
                       ones: ~8 GB.

It also installs the tools the tests compare with: cuobjdump 13.x (PyPI
`nvidia-cuda-cuobjdump`) and cuobjdump 11.8 (Debian non-free `nvidia-cuda-toolkit`, downloaded
and unpacked with a private apt configuration: the system's sources are not changed), the
only one that still lists sm_35 builds. `tools.env` in the cache names them.

Usage: make_envs.py [ENV ...]      build (default: all)
       make_envs.py --lock ENV     resolve the recipe anew and rewrite its pins
       make_envs.py --path ENV     print the environment's site-packages folder
"""
import argparse
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
CACHE = pathlib.Path(os.environ.get("MLSTACK_REAL_ENVS",
                                    pathlib.Path.home() / ".cache" / "mlstack" / "real-envs"))

SEED_PLATFORMS = ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64",
                  "linux_x86_64"] + [f"manylinux_2_{m}_x86_64" for m in range(17, 36)]

# env -> (kind, python version, install steps in order). `target`: unpacked into a folder for
# that CPython with `pip install --target`; `venv`: a venv of this machine's python3.
RECIPES = {
    "seed-cp310": ("target", "3.10", [["tensorflow==2.9.1", "torch==1.12.1"]]),
    "current": ("venv", None, [["torch==2.15.0", "tensorflow==2.21.0", "jax[cuda13]==0.10.2",
                                "onnxruntime-gpu==1.31.1", "cupy-cuda13x==14.2.0"]]),
    "tf-andcuda-torch13": ("venv", None, [["torch==2.15.0"], ["tensorflow[and-cuda]==2.21.0"]]),
}


# Free disk space each environment needs while it is built (env + its wheels + margin), GiB.
NEED_GIB = {"seed-cp310": 6, "current": 16, "tf-andcuda-torch13": 20}
CUOBJDUMP_PIN = "nvidia-cuda-cuobjdump==13.5.37"
WHEELS = CACHE / "wheels"


def log(msg: str) -> None:
    print(f"make_envs: {msg}", file=sys.stderr, flush=True)


def pip_cmd() -> list[str]:
    ref = ROOT / "build" / "refvenv" / "bin" / "python"
    return [str(ref) if ref.exists() else sys.executable, "-m", "pip"]


def run(cmd: list[str]) -> None:
    log("+ " + " ".join(cmd[:12]) + (" ..." if len(cmd) > 12 else ""))
    subprocess.run(cmd, check=True)


def index_unreachable() -> str:
    """Why the package index cannot be reached, or "" when it answers."""
    import urllib.request
    url = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/").rstrip("/") + "/pip/"
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            r.read(1)
        return ""
    except OSError as e:
        return f"{url}: {e}"


def download(cmd: list[str], reqs: list[str]) -> None:
    """`pip download` from the wheel cache alone first (no network when it has everything)."""
    offline = cmd + ["--no-index", "--find-links", str(WHEELS)] + reqs
    if subprocess.run(offline, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
        log("  all wheels already in the cache: " + " ".join(reqs))
        return
    why = index_unreachable()
    if why:
        raise SystemExit(f"make_envs: the package index is unreachable ({why}); the wheel cache "
                         f"{WHEELS} lacks some of {' '.join(reqs)}")
    run(cmd + reqs)


def pins_path(env: str) -> pathlib.Path:
    return HERE / f"{env}.txt"


def site_packages(env: str) -> pathlib.Path:
    kind, _, _ = RECIPES[env]
    if kind == "target":
        return CACHE / env / "site-packages"
    venv = CACHE / env / "venv"
    found = sorted(venv.glob("lib/python3*/site-packages"))
    return found[0] if found else venv / "lib" / "python3" / "site-packages"


def target_options(python: str) -> list[str]:
    opts = ["--only-binary=:all:", "--python-version", python, "--implementation", "cp"]
    for p in SEED_PLATFORMS:
        opts += ["--platform", p]
    return opts


def lock(env: str) -> None:
    kind, python, steps = RECIPES[env]
    reqs = [r for step in steps for r in step]
    with tempfile.TemporaryDirectory() as tmp:
        report = pathlib.Path(tmp) / "report.json"
        cmd = pip_cmd() + ["install", "--dry-run", "--ignore-installed", "--quiet",
                           "--report", str(report)]
        if kind == "target":
            cmd += ["--target", str(pathlib.Path(tmp) / "t")] + target_options(python)
        run(cmd + reqs)
        installed = json.loads(report.read_text())["install"]
    lines = sorted(f"{i['metadata']['name']}=={i['metadata']['version']}" for i in installed)
    order = "; then ".join("pip install " + " ".join(step) for step in steps)
    text = (f"# Pins of the `{env}` real environment (tools/real_envs/make_envs.py --lock {env}).\n"
            f"# Install order: {order}.\n" + "\n".join(lines) + "\n")
    pins_path(env).write_text(text)
    log(f"{env}: {len(lines)} pins written to {pins_path(env).relative_to(ROOT)}")


def recipe_hash(env: str) -> str:
    """The recipe and the pins, comment lines of the pin file left out."""
    pins = [line for line in pins_path(env).read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    h = hashlib.sha256(json.dumps(RECIPES[env]).encode())
    h.update(("\n".join(pins) + "\n").encode())
    return h.hexdigest()


def legacy_hash(env: str) -> str:
    """The stamp of the first version of this script (recipe + pin file bytes)."""
    h = hashlib.sha256(json.dumps(RECIPES[env]).encode())
    h.update(pins_path(env).read_bytes())
    return h.hexdigest()


def migrate_wheels() -> None:
    """Older caches kept one wheel folder per environment: move them into the shared one."""
    for sub in [d for d in WHEELS.glob("*") if d.is_dir()]:
        for w in sub.iterdir():
            dest = WHEELS / w.name
            if dest.exists():
                w.unlink()
            else:
                w.rename(dest)
        sub.rmdir()
        log(f"moved the wheels of {sub.name} into {WHEELS}")


def build(env: str) -> pathlib.Path:
    kind, python, steps = RECIPES[env]
    if not pins_path(env).exists():
        raise SystemExit(f"make_envs: no pins for {env}: run `make_envs.py --lock {env}`")
    home = CACHE / env
    stamp = home / ".stamp"
    digest = recipe_hash(env)
    if stamp.exists() and stamp.read_text().strip() in (digest, legacy_hash(env)):
        stamp.write_text(digest)
        log(f"{env}: up to date ({home})")
        return site_packages(env)
    started = time.monotonic()
    free = shutil.disk_usage(CACHE).free
    if free < NEED_GIB[env] << 30:
        raise SystemExit(f"make_envs: {free >> 30} GiB free under {CACHE}; {env} needs "
                         f"about {NEED_GIB[env]} GiB")
    if home.exists():
        log(f"{env}: rebuilding (pins or recipe changed, or an earlier build did not finish)")
        shutil.rmtree(home)
    home.mkdir(parents=True)
    WHEELS.mkdir(parents=True, exist_ok=True)
    constraints = ["-c", str(pins_path(env))]
    for step in steps:
        cmd = pip_cmd() + ["download", "--quiet", "--no-cache-dir", "--dest", str(WHEELS)] \
            + constraints
        if kind == "target":
            cmd += target_options(python)
        download(cmd, step)
    offline = ["--no-index", "--find-links", str(WHEELS), "--quiet", "--no-cache-dir"] + constraints
    if kind == "target":
        site = home / "site-packages"
        for step in steps:
            run(pip_cmd() + ["install", "--target", str(site)] + target_options(python) + offline
                + step)
    else:
        run([sys.executable, "-m", "venv", str(home / "venv")])
        py = str(home / "venv" / "bin" / "python")
        for step in steps:
            run([py, "-m", "pip", "install", "--disable-pip-version-check"] + offline + step)
    stamp.write_text(digest)
    log(f"{env}: ready in {time.monotonic() - started:.0f} s ({site_packages(env)})")
    return site_packages(env)


def install_tools() -> None:
    """cuobjdump 13.x (PyPI) and 11.8 (Debian non-free, unpacked), named in tools.env."""
    tools = CACHE / "tools"
    new = tools / "cuobjdump13" / "nvidia" / "cu13" / "bin" / "cuobjdump"
    if not new.exists():
        run(pip_cmd() + ["install", "--quiet", "--no-cache-dir", "--target",
                         str(tools / "cuobjdump13"), CUOBJDUMP_PIN])
    new.chmod(0o755)
    old = tools / "cuobjdump11" / "usr" / "bin" / "cuobjdump"
    if not old.exists():
        apt = tools / "apt"
        (apt / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (apt / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
        (apt / "sources.list").write_text(
            "deb http://deb.debian.org/debian bookworm main contrib non-free\n")
        opts = ["-o", f"Dir::Etc::sourcelist={apt / 'sources.list'}",
                "-o", "Dir::Etc::sourceparts=/dev/null",
                "-o", f"Dir::State::Lists={apt / 'lists'}", "-o", f"Dir::Cache={apt / 'cache'}"]
        try:
            run(["apt-get", *opts, "update", "-qq"])
            subprocess.run(["apt-get", *opts, "download", "nvidia-cuda-toolkit"], cwd=apt,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deb = next(apt.glob("nvidia-cuda-toolkit_*.deb"))
            run(["dpkg", "-x", str(deb), str(tools / "cuobjdump11")])
        except (subprocess.CalledProcessError, StopIteration, FileNotFoundError) as e:
            log(f"cuobjdump 11.8 not available ({e}); sm_35 builds are compared by count only")
    lines = [f"CUOBJDUMP={new}"]
    if old.exists():
        lines.append(f"CUOBJDUMP_OLD={old}")
    (CACHE / "tools.env").write_text("\n".join(lines) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("envs", nargs="*")
    ap.add_argument("--lock", action="store_true")
    ap.add_argument("--path", action="store_true")
    ap.add_argument("--no-tools", action="store_true", help="skip the cuobjdump tools")
    args = ap.parse_args()
    envs = args.envs or list(RECIPES)
    for env in envs:
        if env not in RECIPES:
            raise SystemExit(f"make_envs: unknown environment `{env}`; expected one of "
                             + ", ".join(RECIPES))
    if args.path:
        for env in envs:
            print(site_packages(env))
        return 0
    CACHE.mkdir(parents=True, exist_ok=True)
    if WHEELS.exists():
        migrate_wheels()
    for env in envs:
        if args.lock:
            lock(env)
        else:
            build(env)
    if not args.lock and not args.no_tools:
        install_tools()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as e:
        log(f"failed ({e.returncode}): {' '.join(e.cmd[:8])} ... (is PyPI reachable?)")
        sys.exit(2)
