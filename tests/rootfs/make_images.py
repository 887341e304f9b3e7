#!/usr/bin/env python3
"""Builds the real images the rootfs tests read, with buildah (no daemon), and caches them.

The image: the cached Debian bullseye base (tests/image's tarball, ~/.cache/mlstack/image/)
imported as one layer, then two RUN layers (`buildah bud --layers`):
  2. a venv (/opt/venv) with pip, setuptools, six and idna installed offline from Debian's
     /usr/share/python-wheels (real wheels' dist-info), and a file with a hard link;
  3. /etc/debian_version deleted (a whiteout), /usr/share/doc/python3 deleted and made again
     (whiteouts or an opaque folder, as buildah writes them), a file replaced.
It is saved in three forms: docker-archive (uncompressed layers), oci-archive (gzip layers)
and an OCI layout folder (zstd layers). Output: ~/.cache/mlstack/rootfs-images/<key>/
{docker.tar, oci.tar, oci/}, the key a hash of this script and the base tarball's size and
mtime. Prints the output folder. buildah's storage lives in /dev/shm and is removed.
Needs root, buildah and the base tarball (tests/image/image_build_test.py makes it with
mmdebstrap; this script calls it the same way when it is missing).
"""
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

CACHE = pathlib.Path(os.environ.get("XDG_CACHE_HOME", pathlib.Path.home() / ".cache")) / "mlstack"
BASE = CACHE / "image" / "debian-bullseye-python3.tar"
MIRROR = os.environ.get("MLSTACK_DEBIAN_MIRROR", "http://deb.debian.org/debian")
NAME = "mlstack-rootfs-test:1"

DOCKERFILE = """\
FROM localhost/mlstack-rootfs-base
RUN python3 -m venv /opt/venv \\
 && /opt/venv/bin/pip install --no-index --find-links /usr/share/python-wheels six idna \\
 && cp /etc/os-release /opt/release && ln /opt/release /opt/release-hardlink
RUN rm /etc/debian_version && rm -r /usr/share/doc/python3 && mkdir /usr/share/doc/python3 \\
 && echo replaced > /usr/share/doc/python3/NOTE && echo changed > /etc/hostname
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    CUDA_VERSION=12.4.1
WORKDIR /opt
"""


def run(cmd, **kw):
    print("$ " + " ".join(str(c) for c in cmd), file=sys.stderr, flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, text=True, **kw)


def key() -> str:
    st = BASE.stat()
    h = hashlib.sha256(pathlib.Path(__file__).read_bytes())
    h.update(f"{st.st_size} {st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def main() -> int:
    if not BASE.is_file():
        BASE.parent.mkdir(parents=True, exist_ok=True)
        partial = BASE.with_suffix(".partial.tar")
        run(["mmdebstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates",
             "bullseye", partial, MIRROR])
        partial.rename(BASE)
    out = CACHE / "rootfs-images" / key()
    if (out / "done").is_file():
        print(out)
        return 0
    if out.parent.is_dir():  # older keys
        shutil.rmtree(out.parent)
    out.mkdir(parents=True)
    storage = pathlib.Path(tempfile.mkdtemp(prefix="mlstack-rootfs-images-", dir="/dev/shm"))
    buildah = ["buildah", "--root", storage / "root", "--runroot", storage / "run",
               "--storage-driver", "vfs"]
    try:
        ctr = run(buildah + ["from", "scratch"], capture_output=True).stdout.strip()
        run(buildah + ["add", "--quiet", ctr, BASE, "/"])
        run(buildah + ["commit", "--quiet", "--rm", ctr, "mlstack-rootfs-base"])
        context = storage / "context"
        context.mkdir()
        (context / "Dockerfile").write_text(DOCKERFILE)
        run(buildah + ["bud", "--quiet", "--isolation", "chroot", "--format", "docker", "--layers",
                       "-f", context / "Dockerfile", "-t", NAME, context])
        run(buildah + ["push", "--quiet", NAME, f"docker-archive:{out / 'docker.tar'}:{NAME}"])
        run(buildah + ["push", "--quiet", "--compression-format", "gzip", NAME,
                       f"oci-archive:{out / 'oci.tar'}:{NAME}"])
        run(buildah + ["push", "--quiet", "--compression-format", "zstd", NAME,
                       f"oci:{out / 'oci'}:{NAME}"])
        (out / "done").write_text(DOCKERFILE)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        subprocess.run(buildah + ["rm", "--all"], capture_output=True)
        subprocess.run(buildah + ["rmi", "--all", "--force"], capture_output=True)
        subprocess.run(["umount", "-R", storage / "root"], capture_output=True)
        shutil.rmtree(storage, ignore_errors=True)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
