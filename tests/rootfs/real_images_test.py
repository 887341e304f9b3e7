#!/usr/bin/env python3
"""rootfs::open_image on real images, checked against `tar` extraction.

make_images.py builds (or takes from its cache) one image with buildah, saved as a
docker-archive (uncompressed layers), an oci-archive (gzip) and an OCI layout (zstd). For each
form, rootfs_dump prints the merged tree as mlstack reads it (kind, size, mtime, link target,
sha256 of each file, read both with read_file and through open_region). The reference: the
docker-archive's layers extracted in order with GNU tar into /dev/shm, each layer's whiteouts
applied before it (`.wh.NAME` removes NAME, `.wh..wh..opq` empties its folder), then walked
with lstat. The trees must be equal. For the docker-archive, each file's region offset must be
the member's data offset as Python's tarfile computes it (the layer's own offset in the
archive plus the member's in the layer).

Opt-in: MLSTACK_IMAGE_TEST=1 (`make image-test`), else skips (exit 77); without root or
buildah it skips too, and fails under CI=true.
Usage: real_images_test.py ROOTFS_DUMP
"""
import hashlib
import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
SKIP = 77


def dump(tool, archive):
    out = subprocess.run([tool, archive], check=True, capture_output=True, text=True).stdout
    tree, meta = {}, []
    for line in out.splitlines():
        if line.startswith("# "):
            meta.append(line[2:])
            continue
        kind, path, size, mtime, link, digest, offset = line.split("\t")
        tree[path] = (kind, int(size), int(mtime), link, digest, offset)
    return tree, meta


def whiteouts_then_extract(layer: pathlib.Path, root: pathlib.Path) -> None:
    with tarfile.open(layer) as t:
        names = [m.name for m in t.getmembers()]
    for name in names:
        rel = pathlib.PurePosixPath(name.lstrip("./") if name.startswith("./") else name)
        base = rel.name
        parent = root / rel.parent
        if base == ".wh..wh..opq":
            if parent.is_dir():
                for child in parent.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
        elif base.startswith(".wh."):
            victim = parent / base[4:]
            if victim.is_dir() and not victim.is_symlink():
                shutil.rmtree(victim)
            elif victim.exists() or victim.is_symlink():
                victim.unlink()
    subprocess.run(["tar", "-xf", layer, "-C", root, "--exclude=.wh.*", "--numeric-owner"],
                   check=True)


def walk(root: pathlib.Path):
    tree = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = pathlib.Path(dirpath) / name
            rel = "/" + str(p.relative_to(root))
            st = p.lstat()
            if stat.S_ISDIR(st.st_mode):
                tree[rel] = ("d", 0, int(st.st_mtime), "", "", None)
            elif stat.S_ISLNK(st.st_mode):
                tree[rel] = ("l", 0, int(st.st_mtime), os.readlink(p), "", None)
            elif stat.S_ISREG(st.st_mode):
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
                tree[rel] = ("f", st.st_size, int(st.st_mtime), "", digest, None)
            else:
                kind = "p" if stat.S_ISFIFO(st.st_mode) else "c" if stat.S_ISCHR(st.st_mode) else "b" if stat.S_ISBLK(st.st_mode) else "s"
                tree[rel] = (kind, 0, int(st.st_mtime), "", "", None)
    return tree


def compare(name, got, want) -> int:
    problems = 0
    for path in sorted(set(got) | set(want)):
        if path not in got:
            print(f"{name}: missing {path} {want[path]}")
            problems += 1
        elif path not in want:
            print(f"{name}: extra {path} {got[path]}")
            problems += 1
        elif got[path][:5] != want[path][:5]:
            g, w = got[path], want[path]
            if g[0] == w[0] == "d" and g[1:2] == w[1:2] and g[3:5] == w[3:5]:
                continue  # a folder's mtime: tar touches folders it extracts into
            print(f"{name}: differs {path}: mlstack {g[:5]}, tar {w[:5]}")
            problems += 1
    return problems


def docker_offsets(archive: pathlib.Path):
    """path -> absolute data offset, for files only one layer holds as a regular member."""
    seen, offsets = {}, {}
    with tarfile.open(archive) as outer:
        members = {m.name: m for m in outer.getmembers()}
        manifest = json.load(outer.extractfile("manifest.json"))
        for layer_name in manifest[0]["Layers"]:
            m = members[layer_name]
            while m.issym():
                m = members[os.path.normpath(os.path.join(os.path.dirname(m.name), m.linkname))]
            with tarfile.open(fileobj=outer.extractfile(m)) as inner:
                for e in inner.getmembers():
                    path = "/" + e.name.lstrip("./") if e.name.startswith("./") else "/" + e.name
                    path = os.path.normpath(path)
                    seen[path] = seen.get(path, 0) + 1
                    if e.isreg() and e.size > 0:
                        offsets[path] = m.offset_data + e.offset_data
    return {p: o for p, o in offsets.items() if seen[p] == 1}


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    tool = pathlib.Path(sys.argv[1]).resolve()
    if os.environ.get("MLSTACK_IMAGE_TEST") != "1":
        print("skipped: set MLSTACK_IMAGE_TEST=1 (make image-test) to build images")
        return SKIP
    if shutil.which("buildah") is None or os.geteuid() != 0:
        print("skipped: needs root and buildah (make image-test)")
        return 1 if os.environ.get("CI") == "true" else SKIP
    started = time.monotonic()
    images = pathlib.Path(subprocess.run([sys.executable, HERE / "make_images.py"], check=True,
                                         capture_output=True, text=True).stdout.strip())
    print(f"images in {images} ({time.monotonic() - started:.0f} s)")
    scratch = pathlib.Path(tempfile.mkdtemp(prefix="mlstack-rootfs-test-", dir="/dev/shm"))
    problems = 0
    try:
        # The reference tree: the docker-archive's layers extracted by tar.
        root = scratch / "root"
        root.mkdir()
        with tarfile.open(images / "docker.tar") as outer:
            manifest = json.load(outer.extractfile("manifest.json"))
            for i, layer_name in enumerate(manifest[0]["Layers"]):
                layer = scratch / f"layer{i}.tar"
                with outer.extractfile(layer_name) as src, open(layer, "wb") as dst:
                    shutil.copyfileobj(src, dst)
                whiteouts_then_extract(layer, root)
                layer.unlink()
        want = walk(root)
        print(f"tar extraction: {len(want)} entries")
        for form, expect_compressed in (("docker.tar", "0"), ("oci.tar", "1"), ("oci", "1")):
            t0 = time.monotonic()
            got, meta = dump(tool, images / form)
            print(f"{form}: {len(got)} entries, dumped in {time.monotonic() - t0:.1f} s; {meta}")
            problems += compare(form, got, want)
            layers = [m.split() for m in meta if m.startswith("layer ")]
            if len(layers) != 3 or any(l[2] != expect_compressed for l in layers):
                print(f"{form}: expected 3 layers, compressed={expect_compressed}: {layers}")
                problems += 1
            if "env CUDA_VERSION=12.4.1" not in meta or not any("mlstack-rootfs-test:1" in m for m in meta):
                print(f"{form}: config or name not read: {meta}")
                problems += 1
            for path in ("/etc/debian_version",):
                if path in got:
                    print(f"{form}: {path} is deleted in the last layer, yet listed")
                    problems += 1
            for path in ("/usr/share/doc/python3/NOTE", "/opt/release-hardlink", "/etc/os-release"):
                if path not in got:
                    print(f"{form}: {path} missing")
                    problems += 1
            if not any(p.startswith("/opt/venv/lib/python3.9/site-packages/six-") and p.endswith("/METADATA") for p in got):
                print(f"{form}: the venv's six dist-info is missing")
                problems += 1
            if form == "docker.tar":
                offsets = docker_offsets(images / form)
                checked = 0
                for path, offset in offsets.items():
                    if path in got and got[path][5]:
                        checked += 1
                        if int(got[path][5]) != offset:
                            print(f"{form}: {path}: region at {got[path][5]}, tarfile says {offset}")
                            problems += 1
                print(f"{form}: {checked} data offsets agree with tarfile's")
                if checked < 1000:
                    print(f"{form}: too few offsets checked")
                    problems += 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if problems:
        print(f"FAILED: {problems} problem(s)")
        return 1
    print(f"rootfs real-image test passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
