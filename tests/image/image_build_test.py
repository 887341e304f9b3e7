#!/usr/bin/env python3
"""`mlstack image`, really built: buildah builds the files mlstack writes, without a daemon.

1. A small Debian base (bullseye: Python 3.9, glibc 2.31, older than the build machine's) made
   by mmdebstrap, cached as a tarball in ~/.cache/mlstack/image/, imported as an image.
2. `mlstack image --base <it>` with a shared pin and two variants: `small`, a complete lock
   with hashes (python-dateutil, six, packaging from the configured index), and `broken`, a
   lock that leaves out six.
3. buildah builds the base and `small` (the mlstack bundle must run on the older glibc, the
   pip configuration comes in as build secrets); the image's HEALTHCHECK command, read from
   the built image, runs in a container and must exit 0; no layer holds /etc/pip.conf; the
   bundled mlstack reads an ONNX file through the plugin the bundle carries.
4. `broken` must fail, at its `mlstack check` step.

buildah uses a storage folder of its own under /var/tmp (vfs driver, chroot isolation),
removed at the end. Opt-in: runs when MLSTACK_IMAGE_TEST=1 (`make image-test`), else skips
(exit 77), as it does without buildah, mmdebstrap or root.
Usage: image_build_test.py MLSTACK_BINARY
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
CACHE = pathlib.Path(os.environ.get("XDG_CACHE_HOME", pathlib.Path.home() / ".cache")) / "mlstack" / "image"
SUITE = "bullseye"
TARBALL = CACHE / f"debian-{SUITE}-python3.tar"
MIRROR = os.environ.get("MLSTACK_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SKIP = 77


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run(cmd, check=True, **kw):
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], check=check, text=True, **kw)


def base_tarball() -> pathlib.Path:
    if TARBALL.is_file():
        return TARBALL
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = TARBALL.with_suffix(".partial.tar")
    run(["mmdebstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates",
         SUITE, partial, MIRROR])
    partial.rename(TARBALL)
    return TARBALL


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    mlstack = pathlib.Path(sys.argv[1]).resolve()
    if os.environ.get("MLSTACK_IMAGE_TEST") != "1":
        print("skipped: set MLSTACK_IMAGE_TEST=1 (make image-test) to build images")
        return SKIP
    missing = [t for t in ("buildah", "mmdebstrap", "patchelf") if shutil.which(t) is None]
    if missing or os.geteuid() != 0:
        print(f"skipped: needs root and {', '.join(missing) or 'buildah'} (make image-test)")
        return SKIP
    started = time.monotonic()
    tarball = base_tarball()
    storage = pathlib.Path(tempfile.mkdtemp(prefix="mlstack-image-test-", dir="/var/tmp"))
    buildah = ["buildah", "--root", storage / "root", "--runroot", storage / "run",
               "--storage-driver", "vfs"]
    context = storage / "context"
    secrets = []
    for sid, src in (("pipconf", "/etc/pip.conf"),
                     ("pipcert", os.environ.get("PIP_CERT", "/etc/ssl/certs/ca-certificates.crt"))):
        if pathlib.Path(src).is_file():
            secrets += ["--secret", f"id={sid},src={src}"]
    bud = buildah + ["bud", "--isolation", "chroot", "--format", "docker", "--layers=false"] + secrets
    try:
        ctr = run(buildah + ["from", "scratch"], capture_output=True).stdout.strip()
        run(buildah + ["add", "--quiet", ctr, tarball, "/"])
        run(buildah + ["config", "--env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ctr])
        run(buildah + ["commit", "--quiet", "--rm", ctr, "mlstack-test-debian"])

        run([mlstack, "image", "-o", context, "--base", "localhost/mlstack-test-debian",
             "--name", "mlstack-test", "--python-version", "3.9",
             "--shared", HERE / "shared.txt",
             "--variant", f"small={HERE / 'small.lock'}",
             "--variant", f"broken={HERE / 'broken.lock'}"])
        run(bud + ["-f", context / "Dockerfile.base", "-t", "mlstack-test-base", context])
        run(bud + ["-f", context / "Dockerfile.small", "-t", "mlstack-test-small", context])

        config = json.loads(run(buildah + ["inspect", "--type", "image", "mlstack-test-small"],
                                capture_output=True).stdout)
        test = config["Docker"]["config"]["Healthcheck"]["Test"]
        assert test[0] == "CMD" and test[1].endswith("mlstack"), test
        command = test[1:]
        assert "--healthcheck" in command, test
        ctr = run(buildah + ["from", "mlstack-test-small"], capture_output=True).stdout.strip()
        health = run(buildah + ["run", "--isolation", "chroot", ctr, "--"] + command, check=False)
        assert health.returncode == 0, f"the HEALTHCHECK command exited {health.returncode}"
        imports = run(buildah + ["run", "--isolation", "chroot", ctr, "--", "python3", "-c",
                                 "import dateutil, six, packaging; print('imports ok')"],
                      check=False)
        assert imports.returncode == 0, "the locked packages do not import"
        # The bundled ONNX reader plugin (lib/mlstack/) and its libraries load on the old base.
        pb = pathlib.Path(__file__).resolve().parents[1] / "cli/compare-map-torch/fs/output_0.pb"
        run(buildah + ["copy", ctr, pb, "/tmp/output_0.pb"])
        onnx = run(buildah + ["run", "--isolation", "chroot", ctr, "--",
                              "/opt/mlstack/bin/mlstack", "compare", "/tmp/output_0.pb",
                              "/tmp/output_0.pb"], check=False)
        assert onnx.returncode == 0, "the bundled mlstack did not read an ONNX file"
        leaked = run(buildah + ["run", "--isolation", "chroot", ctr, "--", "sh", "-c",
                                "test ! -e /etc/pip.conf && test ! -e /run/secrets/pipcert"],
                     check=False)
        assert leaked.returncode == 0, "pip's configuration was left in the image"
        run(buildah + ["rm", ctr])

        broken = run(bud + ["-f", context / "Dockerfile.broken", "-t", "mlstack-test-broken",
                            context], check=False, capture_output=True)
        sys.stdout.write(broken.stdout)
        sys.stdout.write(broken.stderr)
        assert broken.returncode != 0, "the broken variant was built"
        assert "python-dateutil 2.9.0.post0 requires six, which is not installed." in broken.stdout, \
            "the broken variant did not fail at mlstack check's finding"
        assert 'building at STEP "RUN /opt/mlstack/bin/mlstack check"' in broken.stderr, \
            "the broken variant failed at another step"
    finally:
        subprocess.run(buildah + ["rm", "--all"], capture_output=True)
        subprocess.run(buildah + ["rmi", "--all", "--force"], capture_output=True)
        subprocess.run(["umount", "-R", storage / "root"], capture_output=True)
        shutil.rmtree(storage, ignore_errors=True)
    log(f"image test passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
