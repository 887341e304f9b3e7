"""The JUnit XML schema the tests validate `doctor --format junit` against, fetched once into a
cache (never committed).

The schema is `junit-10.xsd`, the Jenkins/Ant JUnit schema (MIT, Gregory Boissinot) that pytest
validates its own `--junitxml` output with; it ships in pytest's sdist on PyPI as
`testing/example_scripts/junit-10.xsd`. The sdist is downloaded with pip (`pip download
--no-deps --no-binary :all:`, this interpreter's pip or build/refvenv's) and checked against
its pinned SHA-256, the schema against its own.
Cache: $MLSTACK_TEST_CACHE, else $XDG_CACHE_HOME/mlstack-tests, else ~/.cache/mlstack-tests.
Run as a script, it fetches the schema (for machines that prepare tests before going offline).
"""
import hashlib
import io
import os
import pathlib
import subprocess
import sys
import tarfile
import tempfile

PYTEST_VERSION = "8.4.2"
SDIST_SHA256 = "86c0d0b93306b961d58d62a4db4879f27fe25513d4b969df351abdddb3c30e01"
MEMBER = f"pytest-{PYTEST_VERSION}/testing/example_scripts/junit-10.xsd"
XSD_SHA256 = "a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6"


def cache_dir() -> pathlib.Path:
    if os.environ.get("MLSTACK_TEST_CACHE"):
        return pathlib.Path(os.environ["MLSTACK_TEST_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return pathlib.Path(base) / "mlstack-tests"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pips() -> list[list[str]]:
    """pip clients to try: this interpreter's, then the reference venv's (make refvenv)."""
    root = pathlib.Path(__file__).resolve().parent.parent.parent
    return [[sys.executable, "-m", "pip"], [str(root / "build" / "refvenv" / "bin" / "python"),
                                             "-m", "pip"]]


def fetch() -> bytes:
    problems = []
    for pip in pips():
        with tempfile.TemporaryDirectory(prefix="mlstack-xsd-") as tmp:
            p = subprocess.run([*pip, "download", "--no-deps", "--no-binary", ":all:",
                                "--disable-pip-version-check", "-d", tmp,
                                f"pytest=={PYTEST_VERSION}"],
                               capture_output=True, text=True, timeout=600)
            sdist = pathlib.Path(tmp) / f"pytest-{PYTEST_VERSION}.tar.gz"
            if p.returncode != 0 or not sdist.is_file():
                problems.append(f"{' '.join(pip)} download: exit {p.returncode}: "
                                f"{p.stderr.strip()[-300:]}")
                continue
            data = sdist.read_bytes()
        if sha256(data) != SDIST_SHA256:
            raise RuntimeError(f"{sdist.name}: sha256 {sha256(data)}, expected {SDIST_SHA256}")
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            member = tar.extractfile(MEMBER)
            if member is None:
                raise RuntimeError(f"{MEMBER} is not a file in the sdist")
            return member.read()
    raise RuntimeError("; ".join(problems))


def schema_path() -> tuple[pathlib.Path | None, str]:
    """The cached schema (fetched when missing), or None and why it cannot be had."""
    path = cache_dir() / f"junit-10-pytest-{PYTEST_VERSION}.xsd"
    if path.is_file() and sha256(path.read_bytes()) == XSD_SHA256:
        return path, ""
    try:
        xsd = fetch()
    except Exception as e:  # noqa: BLE001 - any failure means: no schema here
        return None, f"cannot fetch junit-10.xsd from pytest {PYTEST_VERSION}'s sdist: {e}"
    if sha256(xsd) != XSD_SHA256:
        return None, f"{MEMBER}: sha256 {sha256(xsd)}, expected {XSD_SHA256}"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(xsd)
    tmp.replace(path)
    return path, ""


if __name__ == "__main__":
    found, why = schema_path()
    print(found or why)
    sys.exit(0 if found else 1)
