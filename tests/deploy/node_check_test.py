#!/usr/bin/env python3
"""deploy/kubernetes/mlstack-node-check, the DaemonSet's two loops, with a fake mlstack.

`doctor` (MLSTACK_ONCE=1: one round) must run doctor on the root twice, --format nfd with
--expiry and --format prometheus, each with --output into MLSTACK_OUT and the extra arguments;
`publish` must copy the files to their targets, mode 0644, through a temporary file in the
target's folder (a new inode), and leave a target alone when it has not changed. Settings that
make no sense (an expiry not longer than the period) stop it with exit 2.
With the built mlstack (when it has `doctor --root` and `--format nfd|prometheus`), one real
round on a small root filesystem (tests/data/roots/debian-venv): the published NFD file has an
expiry directive MLSTACK_EXPIRY ahead and only `mlstack.io/` labels NFD accepts, and the
Prometheus file passes `promtool check metrics` (when promtool is there; a failure under
CI=true without it).
Usage: node_check_test.py [MLSTACK_BINARY]
"""
import datetime
import os
import pathlib
import re
import shutil
import stat
import subprocess
import tempfile
import sys
import unittest

MLSTACK = pathlib.Path(sys.argv.pop(1)).resolve() if len(sys.argv) > 1 else None
ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "kubernetes" / "mlstack-node-check"

FAKE_MLSTACK = r'''#!/bin/sh
# records its arguments; writes "<format> report" to the file after --output
printf '%s\n' "$*" >> "$FAKE_CALLS"
format= output=
while [ $# -gt 0 ]; do
  case $1 in
    --format) format=$2; shift ;;
    --output) output=$2; shift ;;
  esac
  shift
done
printf '%s report\n' "$format" > "$output.tmp" && mv "$output.tmp" "$output"
exit "${FAKE_RC:-1}"
'''


class NodeCheck(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="mlstack-node-check-"))
        self.fake = self.tmp / "mlstack"
        self.fake.write_text(FAKE_MLSTACK)
        self.fake.chmod(0o755)
        self.out = self.tmp / "out"
        self.features = self.tmp / "features.d"
        self.textfile = self.tmp / "textfile"
        for d in (self.out, self.features, self.textfile):
            d.mkdir()
        self.calls = self.tmp / "calls"

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_script(self, mode, **env):
        e = {"PATH": os.environ["PATH"], "MLSTACK": str(self.fake), "MLSTACK_ONCE": "1",
             "MLSTACK_OUT": str(self.out), "MLSTACK_ROOT": "/host",
             "MLSTACK_NFD_FILE": str(self.features / "mlstack"),
             "MLSTACK_PROM_FILE": str(self.textfile / "mlstack.prom"),
             "FAKE_CALLS": str(self.calls)}
        e.update(env)
        return subprocess.run(["/bin/sh", str(SCRIPT), mode], env=e, capture_output=True,
                              text=True, timeout=30)

    def test_doctor_round(self):
        r = self.run_script("doctor", MLSTACK_INTERVAL="120", MLSTACK_DOCTOR_ARGS="--no-gpu")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.calls.read_text().splitlines(), [
            f"doctor --root /host --format nfd --expiry 600 --output {self.out}/mlstack.nfd --no-gpu",
            f"doctor --root /host --format prometheus --output {self.out}/mlstack.prom --no-gpu",
        ])
        self.assertEqual((self.out / "mlstack.nfd").read_text(), "nfd report\n")
        self.assertIn("round done: nfd exit 1, prometheus exit 1", r.stdout)

    def test_expiry_is_three_periods(self):
        self.run_script("doctor", MLSTACK_INTERVAL="900")
        self.assertIn("--expiry 2700", self.calls.read_text())

    def test_expiry_not_longer_than_period(self):
        r = self.run_script("doctor", MLSTACK_INTERVAL="300", MLSTACK_EXPIRY="300")
        self.assertEqual(r.returncode, 2)
        self.assertIn("must be longer than MLSTACK_INTERVAL", r.stdout)
        self.assertFalse(self.calls.exists())

    def test_bad_interval(self):
        for mode, var, value in (("doctor", "MLSTACK_INTERVAL", "0"),
                                 ("doctor", "MLSTACK_INTERVAL", "5m"),
                                 ("publish", "MLSTACK_PUBLISH_INTERVAL", "x")):
            with self.subTest(mode=mode, value=value):
                r = self.run_script(mode, **{var: value})
                self.assertEqual(r.returncode, 2, r.stdout)
                self.assertIn(f"{var} must be a positive number", r.stdout)

    def test_doctor_usage_error_fails_the_round(self):
        r = self.run_script("doctor", FAKE_RC="2")
        self.assertNotEqual(r.returncode, 0)

    def test_publish_copies_atomically_and_only_changes(self):
        (self.out / "mlstack.nfd").write_text("a\n")
        (self.out / "mlstack.prom").write_text("b\n")
        old_umask = os.umask(0o077)  # a strict umask must not make the files unreadable
        try:
            r = self.run_script("publish")
        finally:
            os.umask(old_umask)
        self.assertEqual(r.returncode, 0, r.stdout)
        nfd = self.features / "mlstack"
        prom = self.textfile / "mlstack.prom"
        self.assertEqual(nfd.read_text(), "a\n")
        self.assertEqual(prom.read_text(), "b\n")
        self.assertEqual(stat.S_IMODE(nfd.stat().st_mode), 0o644)
        self.assertEqual(sorted(p.name for p in self.features.iterdir()), ["mlstack"])
        inode = nfd.stat().st_ino
        self.run_script("publish")
        self.assertEqual(nfd.stat().st_ino, inode, "an unchanged file was rewritten")
        (self.out / "mlstack.nfd").write_text("c\n")
        self.run_script("publish")
        self.assertEqual(nfd.read_text(), "c\n")
        self.assertNotEqual(nfd.stat().st_ino, inode, "not replaced by a rename")

    def test_publish_nothing_yet(self):
        r = self.run_script("publish")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(list(self.features.iterdir()), [])

    def test_publish_unwritable_target(self):
        (self.out / "mlstack.nfd").write_text("a\n")
        r = self.run_script("publish", MLSTACK_NFD_FILE=str(self.tmp / "missing" / "mlstack"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("could not write", r.stdout)

    def test_usage(self):
        r = self.run_script("")
        self.assertEqual(r.returncode, 2)


def in_ci() -> bool:
    return os.environ.get("CI", "") not in ("", "0", "false", "False", "FALSE")


class RealRound(unittest.TestCase):
    """One round of both loops with the real mlstack on a small root filesystem."""

    def setUp(self):
        if MLSTACK is None:
            self.skipTest("no mlstack binary given")
        helptext = subprocess.run([str(MLSTACK), "doctor", "--help"], capture_output=True,
                                  text=True).stdout
        lacking = [o for o in ("--root", "--expiry", "--format") if o not in helptext]
        if lacking:
            self.skipTest(f"this mlstack's doctor has no {', '.join(lacking)} yet")
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="mlstack-node-check-real-"))
        # a Debian root with a venv in /opt (tests/cli/doctor-root-*)
        self.root = ROOT / "tests" / "data" / "roots" / "debian-venv"
        for d in ("out", "features.d", "textfile"):
            (self.tmp / d).mkdir()

    def tearDown(self):
        if hasattr(self, "tmp"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def test_round(self):
        env = {"PATH": os.environ["PATH"], "MLSTACK": str(MLSTACK), "MLSTACK_ONCE": "1",
               "MLSTACK_ROOT": str(self.root), "MLSTACK_OUT": str(self.tmp / "out"),
               "MLSTACK_INTERVAL": "300", "MLSTACK_EXPIRY": "900",
               "MLSTACK_DOCTOR_ARGS": "--no-gpu --python /opt/venv/bin/python3",
               "MLSTACK_NFD_FILE": str(self.tmp / "features.d" / "mlstack"),
               "MLSTACK_PROM_FILE": str(self.tmp / "textfile" / "mlstack.prom"),
               "XDG_CACHE_HOME": str(self.tmp / "cache")}
        started = datetime.datetime.now(datetime.timezone.utc)
        for mode in ("doctor", "publish"):
            r = subprocess.run(["/bin/sh", str(SCRIPT), mode], env=env, capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(r.returncode, 0, f"{mode}: {r.stdout}{r.stderr}")
        nfd = (self.tmp / "features.d" / "mlstack").read_text()
        # NFD's local source: `# +expiry-time=RFC3339` before the labels it applies to; label
        # names `<namespace>/<name>`, values of at most 63 of [A-Za-z0-9._-], alphanumeric at
        # both ends (Kubernetes' label syntax, which NFD applies)
        m = re.search(r"^# \+expiry-time=(\S+)$", nfd, re.M)
        self.assertIsNotNone(m, nfd)
        expiry = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00"))
        ahead = (expiry - started).total_seconds()
        self.assertTrue(890 <= ahead <= 960, f"expiry {ahead:.0f} s ahead")
        labels = [ln for ln in nfd.splitlines() if ln and not ln.startswith("#")]
        self.assertTrue(labels)
        self.assertLess(nfd.index("# +expiry-time="), nfd.index(labels[0]))
        value = r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?"
        for ln in labels:
            self.assertRegex(ln, r"^mlstack\.io/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?="
                             + value + "$")
        self.assertIn("mlstack.io/doctor.healthy", nfd)
        prom = self.tmp / "textfile" / "mlstack.prom"
        self.assertIn("mlstack_healthy", prom.read_text())
        promtool = shutil.which("promtool")
        if promtool is None:
            if in_ci():
                self.fail("promtool is missing (Debian package prometheus; CI is set)")
            return
        with open(prom) as f:
            r = subprocess.run([promtool, "check", "metrics"], stdin=f, capture_output=True,
                               text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
