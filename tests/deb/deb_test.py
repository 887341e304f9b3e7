#!/usr/bin/env python3
"""The Debian package (`make deb`), really installed in a Debian 12 image built with buildah.

1. `cpack -G DEB` in the build folder writes mlstack_<version>_amd64.deb (into a temp folder):
   its control fields (Depends computed by dpkg-shlibdeps: libc6 and libelf1 for the binary;
   Recommends libarchive13 and ICU, which mlstack opens with dlopen) and its files
   (/usr/bin/mlstack, the ONNX plugin in /usr/lib/mlstack, the licence as the copyright file)
   are checked.
2. A bookworm base (glibc 2.36, the build's: a package built here needs it) made by mmdebstrap,
   cached as a tarball in ~/.cache/mlstack/image/, imported with buildah (vfs storage, chroot
   isolation, under /var/tmp, removed at the end); `apt-get install ./mlstack_*.deb` in it
   installs the package and the Depends apt resolves from them.
3. In the container: `mlstack --version` prints the project's version, `mlstack doctor
   --python /usr/bin/python3` gives a verdict (exit 0 or 1), and `mlstack compare` reads an
   ONNX .pb through /usr/lib/mlstack/libmlstack-onnx.so.

Opt-in: runs when MLSTACK_DEB_TEST=1 (`make deb-test`, `make image-test`), else skips (exit
77), as it does without buildah, mmdebstrap, dpkg-shlibdeps or root (under CI=true: fails).
Usage: deb_test.py BUILD_DIR SOURCE_DIR
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

CACHE = pathlib.Path(os.environ.get("XDG_CACHE_HOME", pathlib.Path.home() / ".cache")) / "mlstack" / "image"
SUITE = "bookworm"
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
    run(["mmdebstrap", "--variant=minbase", "--include=python3,ca-certificates",
         SUITE, partial, MIRROR])
    partial.rename(TARBALL)
    return TARBALL


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    build = pathlib.Path(sys.argv[1]).resolve()
    source = pathlib.Path(sys.argv[2]).resolve()
    if os.environ.get("MLSTACK_DEB_TEST") != "1":
        print("skipped: set MLSTACK_DEB_TEST=1 (make deb-test) to build and install the .deb")
        return SKIP
    missing = [t for t in ("buildah", "mmdebstrap", "dpkg-deb", "dpkg-shlibdeps", "cpack")
               if shutil.which(t) is None]
    if missing or os.geteuid() != 0:
        print(f"{'FAILED' if os.environ.get('CI') == 'true' else 'skipped'}: needs root and "
              f"{', '.join(missing) or 'buildah'} (make deb-test installs them)")
        return 1 if os.environ.get("CI") == "true" else SKIP
    version = re.search(r"project\(mlstack VERSION ([0-9][0-9.]*)",
                        (source / "CMakeLists.txt").read_text()).group(1)
    started = time.monotonic()
    out = pathlib.Path(tempfile.mkdtemp(prefix="mlstack-deb-test-"))
    storage = pathlib.Path(tempfile.mkdtemp(prefix="mlstack-deb-test-", dir="/var/tmp"))
    buildah = ["buildah", "--root", storage / "root", "--runroot", storage / "run",
               "--storage-driver", "vfs"]
    failures = []

    def check(ok: bool, what: str) -> None:
        log(("ok: " if ok else "FAILED: ") + what)
        if not ok:
            failures.append(what)

    try:
        run(["cpack", "-G", "DEB", "-B", out, "--config", build / "CPackConfig.cmake"])
        debs = sorted(out.glob("mlstack_*.deb"))
        assert len(debs) == 1, f"one .deb expected in {out}: {debs}"
        deb = debs[0]
        check(deb.name == f"mlstack_{version}_amd64.deb", f"the package is {deb.name}")
        info = run(["dpkg-deb", "--info", deb], capture_output=True).stdout
        print(info)
        field = lambda name: (re.search(rf"^ {name}: (.*)$", info, re.M) or [None, ""])[1]
        depends = field("Depends")
        for dep in ("libc6", "libelf1"):
            check(re.search(rf"\b{dep}\b", depends) is not None,
                  f"Depends (dpkg-shlibdeps) names {dep}: {depends}")
        check("libstdc++6" not in depends or "libprotobuf" in depends,
              "libstdc++6 only for the ONNX plugin (the binary links it statically)")
        check("libarchive13" in field("Recommends"), f"Recommends: {field('Recommends')}")
        for name in ("Maintainer", "Section", "Description"):
            check(field(name) != "", f"{name}: {field(name)}")
        files = run(["dpkg-deb", "--contents", deb], capture_output=True).stdout
        for path in ("./usr/bin/mlstack", "./usr/lib/mlstack/libmlstack-onnx.so",
                     "./usr/share/doc/mlstack/copyright"):
            check(re.search(rf" {re.escape(path)}$", files, re.M) is not None, f"the package has {path}")
        check("gtest" not in files and "test_" not in files, "no test binary in the package")

        ctr = run(buildah + ["from", "scratch"], capture_output=True).stdout.strip()
        run(buildah + ["add", "--quiet", ctr, base_tarball(), "/"])
        run(buildah + ["copy", "--quiet", ctr, deb, f"/tmp/{deb.name}"])
        run(buildah + ["copy", "--quiet", ctr,
                       source / "tests/cli/compare-map-torch/fs/output_0.pb", "/tmp/output_0.pb"])
        inside = buildah + ["run", "--isolation", "chroot", ctr, "--"]
        run(inside + ["sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
                      f"apt-get install -y -qq --no-install-recommends /tmp/{deb.name} >/dev/null"])
        v = run(inside + ["mlstack", "--version"], check=False, capture_output=True)
        check(v.returncode == 0 and version in v.stdout,
              f"`mlstack --version` in the image prints {version} ({v.stdout.strip()!r})")
        doc = run(inside + ["mlstack", "doctor", "--python", "/usr/bin/python3"], check=False,
                  capture_output=True)
        print(doc.stdout[-3000:], doc.stderr[-2000:], sep="\n")
        check(doc.returncode in (0, 1) and "mlstack:" not in doc.stderr,
              f"`mlstack doctor` in the image gives a verdict (exit {doc.returncode})")
        cmp = run(inside + ["mlstack", "compare", "/tmp/output_0.pb", "/tmp/output_0.pb"],
                  check=False, capture_output=True)
        check(cmp.returncode == 0, f"`mlstack compare` reads an ONNX .pb through the packaged "
              f"plugin (exit {cmp.returncode}: {cmp.stdout.strip()[-300:]} {cmp.stderr.strip()[-300:]})")
    finally:
        subprocess.run(buildah + ["rm", "--all"], capture_output=True)
        subprocess.run(buildah + ["rmi", "--all", "--force"], capture_output=True)
        subprocess.run(["umount", "-R", storage / "root"], capture_output=True)
        shutil.rmtree(storage, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed:\n  " + "\n  ".join(failures))
        return 1
    log(f"deb test passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
