#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build tests/data/envs/<stack>/site-packages/ from real wheels on PyPI.

Each wheel is fetched with `pip download --no-deps` (the whole wheel: zip members cannot be
range-read through pip), and only the small files mlstack reads are extracted:

- `*.dist-info/{METADATA,WHEEL,entry_points.txt,top_level.txt}` and a RECORD trimmed to the
  files kept (plus the lines of the shared libraries we keep placeholders for, with the
  placeholder's own hash and size 0, so RECORD describes what is on disk);
- framework build files: `torch/version.py`, `tensorflow/python/platform/build_info.py`,
  `jaxlib/version.py`, `jax_cuda1x_plugin/version.py`, `jax_plugins/xla_cuda1x/version.py`,
  `onnxruntime/capi/{build_and_package_info.py,version_info.py}`, `cupy/.data/_wheel.json`;
- empty placeholders for the shared libraries mlstack looks for (`torch/lib/*.so*`,
  `onnxruntime/capi/*.so*`, `nvidia/**/lib/*.so*`, the jax plugin `.so` files); the
  framework binaries whose contents mlstack reads are then replaced by small ELF stubs
  carrying the same architectures and version strings (tools/make_fixture_stubs.py).

An INSTALLER file (`pip`) is added so the tree looks installed. The wheels are deleted
afterwards (set MLSTACK_KEEP_WHEELS=1 to keep them in the cache folder).

Usage: tools/make_framework_fixtures.py [STACK ...]   (default: every stack)
"""
import email.parser
import base64
import hashlib
import os
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "envs"
CACHE = pathlib.Path(os.environ.get("MLSTACK_WHEEL_CACHE", "/tmp/mlstack-wheels"))

PLATFORMS = ([f"manylinux_2_{m}_x86_64" for m in range(35, 16, -1)]
             + ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64",
                "linux_x86_64"])

# stack -> (python version for pip's tag selection, explicit requirements, follow pins)
# `follow` lists distributions whose `nvidia-*` / `cuda-toolkit[...]` `==` pins are fetched
# too (the way pip would install them), so the stack holds the nvidia wheels torch wants.
STACKS = {
    # The seed's stack. torch 1.12.1+cu113 is only on download.pytorch.org, not on PyPI:
    # PyPI's torch 1.12.1 is the cu102 build (local version-less `1.12.1`, cuDNN linked in).
    "tf29-torch112": ("3.10", ["tensorflow==2.9.3", "torch==1.12.1", "protobuf==3.20.0"], []),
    # The current PyPI default torch (CUDA 13 if its METADATA pins cuda-toolkit 13), jax with
    # the CUDA 13 plugin, ORT GPU, CuPy for CUDA 13, and the nvidia wheels torch pins.
    "cuda13-current": ("3.12", ["torch", "jax", "jaxlib", "jax-cuda13-plugin", "jax-cuda13-pjrt",
                                "onnxruntime-gpu", "cupy-cuda13x"], ["torch"]),
    # A CUDA 12 stack: torch 2.5.1 (cu124 on PyPI), TF 2.18 with the and-cuda extra's pins,
    # jax cuda12 plugin.
    "cu12-tf218-torch25": ("3.11", ["torch==2.5.1", "tensorflow==2.18.0", "jax==0.4.35",
                                    "jaxlib==0.4.35", "jax-cuda12-plugin==0.4.35",
                                    "jax-cuda12-pjrt==0.4.35", "cupy-cuda12x==13.3.0"],
                           ["torch"]),
}

KEEP_FILES = re.compile(
    r"^(torch/version\.py"
    r"|tensorflow/python/platform/build_info\.py"
    r"|jaxlib/version\.py"
    r"|jax/version\.py"
    r"|jax_cuda1\d_plugin/version\.py"
    r"|jax_plugins/xla_cuda1\d/version\.py"
    r"|onnxruntime/capi/build_and_package_info\.py"
    r"|onnxruntime/capi/version_info\.py"
    r"|cupy/\.data/_wheel\.json)$")
PLACEHOLDERS = re.compile(
    r"^(torch/lib/[^/]+\.so[.0-9]*"
    r"|onnxruntime/capi/[^/]+\.so[.0-9]*"
    r"|nvidia/[^/]+/lib/[^/]+\.so[.0-9]*"
    r"|jax_cuda1\d_plugin/[^/]+\.so"
    r"|jax_plugins/xla_cuda1\d/[^/]+\.so"
    r"|jaxlib/cuda/[^/]+\.so"
    r"|tensorflow/python/_pywrap_tensorflow_internal\.so"
    r"|tensorflow/libtensorflow_cc\.so[.0-9]*"
    r"|tensorflow/libtensorflow_framework\.so[.0-9]*)$")
DIST_INFO_KEEP = {"METADATA", "WHEEL", "entry_points.txt", "top_level.txt"}


def pip_download(spec: str, python: str) -> pathlib.Path:
    dest = CACHE / python
    dest.mkdir(parents=True, exist_ok=True)
    before = set(dest.glob("*.whl"))
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--python-version", python, "--implementation", "cp", "-d", str(dest), "-q"]
    for p in PLATFORMS:
        cmd += ["--platform", p]
    cmd.append(spec)
    print("+", spec, flush=True)
    subprocess.run(cmd, check=True)
    new = set(dest.glob("*.whl")) - before
    name = re.sub(r"[-_.]+", "_", re.split(r"[=<>!~\[ ;]", spec, maxsplit=1)[0]).lower()
    pick = [w for w in (new or dest.glob("*.whl")) if w.name.lower().startswith(name + "-")]
    if not pick:
        raise SystemExit(f"no wheel for {spec} in {dest}")
    return max(pick, key=lambda w: w.stat().st_mtime)


EMPTY_SHA256 = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b"").digest()).decode().rstrip("=")


def extract(wheel: pathlib.Path, site: pathlib.Path) -> str:
    """Extracts the small files; returns METADATA text."""
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        kept = []
        for n in names:
            top, _, rest = n.partition("/")
            if top == info and rest in DIST_INFO_KEEP:
                kept.append(n)
                (site / n).parent.mkdir(parents=True, exist_ok=True)
                (site / n).write_bytes(z.read(n))
            elif KEEP_FILES.match(n):
                kept.append(n)
                (site / n).parent.mkdir(parents=True, exist_ok=True)
                (site / n).write_bytes(z.read(n))
            elif PLACEHOLDERS.match(n):
                kept.append(n)
                (site / n).parent.mkdir(parents=True, exist_ok=True)
                (site / n).write_bytes(b"")
        record = z.read(f"{info}/RECORD").decode()
        keep = set(kept)
        lines = []
        for ln in record.splitlines():
            path = ln.split(",")[0]
            if path not in keep:
                continue
            if PLACEHOLDERS.match(path) and not KEEP_FILES.match(path):
                # RECORD describes the placeholder that is there: mlstack compares sizes to
                # tell whose copy of a shared file is on disk.
                ln = f"{path},{EMPTY_SHA256},0"
            lines.append(ln)
        lines.append(f"{info}/INSTALLER,,")
        lines.append(f"{info}/RECORD,,")
        (site / info / "RECORD").write_text("\n".join(lines) + "\n")
        (site / info / "INSTALLER").write_text("pip\n")
        return z.read(f"{info}/METADATA").decode()


PIN = re.compile(r"^((?:nvidia-[a-z0-9-]+)|cuda-toolkit)\s*(\[[^\]]*\])?\s*\(?\s*==\s*"
                 r"([^;\s,)]+)\s*\)?\s*(;.*)?$")


def linux_marker(marker: str) -> bool:
    m = (marker or "").lower()
    if "extra ==" in m:
        return False
    if "platform_system == \"windows\"" in m or "sys_platform == \"win32\"" in m:
        return False
    if "platform_machine == \"aarch64\"" in m or "platform_system == \"darwin\"" in m:
        return False
    return True


def pinned_cuda(metadata: str):
    msg = email.parser.Parser().parsestr(metadata)
    for req in msg.get_all("Requires-Dist") or []:
        m = PIN.match(req.strip())
        if m and linux_marker(m.group(4) or ""):
            yield m.group(1), m.group(2), m.group(3)


def toolkit_pins(metadata: str, extras: str):
    """cuda-toolkit[cublas,...]==X: the pins its METADATA gives those extras."""
    wanted = {e.strip() for e in extras.strip("[]").split(",") if e.strip()}
    msg = email.parser.Parser().parsestr(metadata)
    for req in msg.get_all("Requires-Dist") or []:
        name_spec, _, marker = req.partition(";")
        m = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
        if m and m.group(1) in wanted and "linux" in marker:
            yield name_spec.strip().replace(" ", "")


def build(stack: str) -> None:
    python, specs, follow = STACKS[stack]
    site = OUT / stack / "site-packages"
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    wheels = []
    queue = list(specs)
    seen = set()
    while queue:
        spec = queue.pop(0)
        if spec in seen:
            continue
        seen.add(spec)
        try:
            wheel = pip_download(spec, python)
        except subprocess.CalledProcessError:
            if spec in specs:
                raise
            print(f"warning: {spec} is not on PyPI for this platform; left out", flush=True)
            continue
        wheels.append(wheel)
        metadata = extract(wheel, site)
        name = re.split(r"[=<>!~\[ ;]", spec, maxsplit=1)[0]
        if name in follow:
            for dist, extras, version in pinned_cuda(metadata):
                if dist != "cuda-toolkit":
                    queue.append(f"{dist}=={version}")
                    continue
                seen.add(f"{dist}=={version}")
                tk = pip_download(f"cuda-toolkit=={version}", python)
                wheels.append(tk)
                queue.extend(toolkit_pins(extract(tk, site), extras or ""))
    if not os.environ.get("MLSTACK_KEEP_WHEELS"):
        for w in wheels:
            w.unlink(missing_ok=True)
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    print(f"{stack}: {len(wheels)} wheels, {total} bytes extracted", flush=True)


def main(argv):
    for stack in argv or list(STACKS):
        build(stack)
    # The framework binaries mlstack reads (fatbins, .rodata, _versions.so) as small stubs.
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_fixture_stubs.py")], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
