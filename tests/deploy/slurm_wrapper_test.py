#!/usr/bin/env python3
"""deploy/slurm/mlstack-healthcheck's logic, with a fake `scontrol` and a fake `mlstack` on PATH.

The fake scontrol keeps one node's state and reason in a JSON file, prints them as
`scontrol show node` does (`   State=IDLE+DRAIN ...`, `   Reason=text [root@time]`), applies
`update NodeName=N State=DRAIN|RESUME [Reason=...]` and records every call; the fake mlstack
prints FAKE_LINE, exits FAKE_RC (after FAKE_SLEEP seconds, ignoring --timeout when asked to)
and records its arguments. Each case runs the wrapper with /bin/sh (dash on Debian) and checks
the node's state and the calls. The real daemons: slurm_integration_test.py (label `slurm`).
Also shellcheck on the wrapper when shellcheck is there (a skip of that case otherwise, a
failure under CI=true).
Usage: slurm_wrapper_test.py
"""
import json
import os
import pathlib
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
WRAPPER = ROOT / "deploy" / "slurm" / "mlstack-healthcheck"

FAKE_SCONTROL = r'''#!/usr/bin/env python3
import json, os, sys
state_file = os.environ["FAKE_SLURM_STATE"]
with open(state_file) as f:
    node = json.load(f)
with open(state_file + ".calls", "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\n")
args = sys.argv[1:]
if node.get("fail"):
    print("slurm_load_node error: Unable to contact slurm controller", file=sys.stderr)
    sys.exit(1)
if args[:2] == ["show", "node"]:
    if args[2] != node["name"]:
        print(f"Node {args[2]} not found", file=sys.stderr)
        sys.exit(1)
    print(f"NodeName={node['name']} Arch=x86_64 CoresPerSocket=1")
    print("   CPUAlloc=0 CPUEfctv=1 CPUTot=1 CPULoad=0.10")
    print(f"   State={node['state']} ThreadsPerCore=1 TmpDisk=0 Weight=1 Owner=N/A MCS_label=N/A")
    print("   Partitions=debug")
    if node.get("reason"):
        print(f"   Reason={node['reason']} [{node.get('by', 'root')}@2026-12-07T06:00:00]")
    sys.exit(0)
if args[:1] == ["update"]:
    kv = dict(a.split("=", 1) for a in args[1:])
    if kv.get("NodeName") != node["name"]:
        print("invalid node name", file=sys.stderr)
        sys.exit(1)
    base = node["state"].split("+")[0]
    if kv.get("State") == "DRAIN":
        if "Reason" not in kv:
            print("You must specify a reason when DRAINING a node", file=sys.stderr)
            sys.exit(1)
        node["state"] = base + "+DRAIN"
        node["reason"] = kv["Reason"]
        node["by"] = "root"
    elif kv.get("State") == "RESUME":
        node["state"] = base
        node.pop("reason", None)
    else:
        sys.exit(1)
    with open(state_file, "w") as f:
        json.dump(node, f)
    sys.exit(0)
sys.exit(2)
'''

FAKE_MLSTACK = r'''#!/bin/sh
printf '%s\n' "$@" > "$FAKE_MLSTACK_ARGS"
if [ -n "${FAKE_SLEEP:-}" ]; then
  trap '' TERM  # a doctor that does not stop: the wrapper's timeout must KILL it
  sleep "$FAKE_SLEEP"
fi
printf '%s\n' "$FAKE_LINE"
[ -n "${FAKE_SECOND_LINE:-}" ] && printf '%s\n' "$FAKE_SECOND_LINE"
exit "$FAKE_RC"
'''

UNHEALTHY = "unhealthy: PKG-BAD-METADATA error parsing dependencies of broken-pkg (+7 more errors)"


def in_ci() -> bool:
    return os.environ.get("CI", "") not in ("", "0", "false", "False", "FALSE")


class Wrapper(unittest.TestCase):
    def setUp(self):
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="mlstack-hc-"))
        self.bin = self.tmp / "bin"
        self.bin.mkdir()
        for name, text in (("scontrol", FAKE_SCONTROL), ("mlstack", FAKE_MLSTACK)):
            p = self.bin / name
            p.write_text(text)
            p.chmod(p.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        self.state = self.tmp / "node.json"
        self.config = self.tmp / "mlstack-healthcheck.env"
        self.config.write_text("")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def node(self, state="IDLE", reason=None, by="root", fail=False):
        n = {"name": "gpu01", "state": state, "by": by}
        if reason is not None:
            n["reason"] = reason
        if fail:
            n["fail"] = True
        self.state.write_text(json.dumps(n))

    def run_wrapper(self, line, rc, config="", env=None, timeout=30):
        self.config.write_text(config)
        e = {
            # what slurmd gives a HealthCheckProgram (no PATH) plus the fakes' PATH
            "PATH": str(self.bin),
            "SLURMD_NODENAME": "gpu01",
            "MLSTACK_HEALTHCHECK_CONFIG": str(self.config),
            "MLSTACK_SYSLOG": "0",
            "FAKE_SLURM_STATE": str(self.state),
            "FAKE_MLSTACK_ARGS": str(self.tmp / "mlstack.args"),
            "FAKE_LINE": line,
            "FAKE_RC": str(rc),
        }
        e.update(env or {})
        return subprocess.run(["/bin/sh", str(WRAPPER)], env=e, capture_output=True, text=True,
                              timeout=timeout)

    def current(self):
        return json.loads(self.state.read_text())

    def updates(self):
        calls = self.tmp / "node.json.calls"
        if not calls.exists():
            return []
        return [c for c in map(json.loads, calls.read_text().splitlines()) if c[0] == "update"]

    def doctor_args(self):
        return (self.tmp / "mlstack.args").read_text().splitlines()

    # --- verdicts on a node nobody holds

    def test_healthy_idle_node_is_left_idle(self):
        self.node("IDLE")
        r = self.run_wrapper("healthy", 0)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.current()["state"], "IDLE")
        self.assertEqual(self.updates(), [])

    def test_unhealthy_drains_with_mlstack_reason(self):
        self.node("MIXED")
        r = self.run_wrapper(UNHEALTHY, 1)
        self.assertEqual(r.returncode, 0, r.stderr)
        n = self.current()
        self.assertEqual(n["state"], "MIXED+DRAIN")
        self.assertEqual(n["reason"], "mlstack: " + UNHEALTHY)
        self.assertEqual(self.updates(), [["update", "NodeName=gpu01", "State=DRAIN",
                                           "Reason=mlstack: " + UNHEALTHY]])
        self.assertIn("drained", r.stderr)

    def test_only_first_line_of_output(self):
        self.node("IDLE")
        self.run_wrapper(UNHEALTHY, 1, env={"FAKE_SECOND_LINE": "more"})
        self.assertEqual(self.current()["reason"], "mlstack: " + UNHEALTHY)

    # --- a node drained by mlstack

    def test_healthy_resumes_node_mlstack_drained(self):
        self.node("IDLE+DRAIN", reason="mlstack: " + UNHEALTHY)
        r = self.run_wrapper("healthy", 0)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.current()["state"], "IDLE")
        self.assertNotIn("reason", self.current())
        self.assertEqual(self.updates(), [["update", "NodeName=gpu01", "State=RESUME"]])

    def test_unhealthy_again_same_reason_no_update(self):
        self.node("IDLE+DRAIN", reason="mlstack: " + UNHEALTHY)
        self.run_wrapper(UNHEALTHY, 1)
        self.assertEqual(self.updates(), [])
        self.assertEqual(self.current()["state"], "IDLE+DRAIN")

    def test_unhealthy_new_reason_updates_own_drain(self):
        self.node("ALLOCATED+DRAIN", reason="mlstack: unhealthy: OLD-ID something")
        self.run_wrapper(UNHEALTHY, 1)
        self.assertEqual(self.current()["reason"], "mlstack: " + UNHEALTHY)
        self.assertEqual(len(self.updates()), 1)

    # --- a node held by someone else is never touched

    def test_foreign_drain_survives_unhealthy(self):
        self.node("IDLE+DRAIN", reason="disk replacement", by="admin")
        r = self.run_wrapper(UNHEALTHY, 1)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.updates(), [])
        self.assertEqual(self.current()["reason"], "disk replacement")
        self.assertIn("someone else", r.stderr)

    def test_foreign_drain_survives_healthy(self):
        self.node("IDLE+DRAIN", reason="disk replacement", by="admin")
        self.run_wrapper("healthy", 0)
        self.assertEqual(self.updates(), [])
        self.assertEqual(self.current()["state"], "IDLE+DRAIN")

    def test_foreign_down_survives(self):
        for state in ("DOWN", "IDLE+FAIL", "DOWN+DRAIN"):
            with self.subTest(state=state):
                self.node(state, reason="Not responding", by="slurm")
                self.run_wrapper(UNHEALTHY, 1)
                self.run_wrapper("healthy", 0)
                self.assertEqual(self.updates(), [])
                self.assertEqual(self.current()["state"], state)
                (self.tmp / "node.json.calls").unlink(missing_ok=True)

    def test_reason_with_mlstack_inside_is_not_ours(self):
        self.node("IDLE+DRAIN", reason="admin: see mlstack: later", by="admin")
        self.run_wrapper("healthy", 0)
        self.assertEqual(self.updates(), [])

    # --- the reason

    def test_reason_bounded_and_printable(self):
        self.node("IDLE")
        long_line = "unhealthy: X-ID caf\u00e9 \x1b[1mbold\x1b[0m " + "y" * 500
        self.run_wrapper(long_line, 1, config="MLSTACK_REASON_MAX=80\n")
        reason = self.current()["reason"]
        self.assertEqual(len(reason.encode()), 80)
        self.assertTrue(reason.startswith("mlstack: unhealthy: X-ID caf?? ?[1mbold?[0m y"))
        self.assertTrue(reason.endswith("..."))
        self.assertTrue(all(0x20 <= b < 0x7f for b in reason.encode()))

    def test_reason_default_bound(self):
        self.node("IDLE")
        self.run_wrapper("unhealthy: " + "z" * 1000, 1)
        self.assertEqual(len(self.current()["reason"]), 200)

    # --- doctor that does not answer

    def test_missing_binary_drains_by_default(self):
        self.node("IDLE")
        self.run_wrapper("", 0, config=f"MLSTACK={self.tmp}/nonexistent/mlstack\n")
        self.assertEqual(self.current()["state"], "IDLE+DRAIN")
        self.assertEqual(self.current()["reason"], "mlstack: health check could not run: exit 127")

    def test_missing_binary_ignored_when_configured(self):
        self.node("IDLE")
        r = self.run_wrapper("", 0, config=f"MLSTACK={self.tmp}/none\nMLSTACK_ON_ERROR=ignore\n")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(self.updates(), [])
        self.assertIn("MLSTACK_ON_ERROR=ignore", r.stderr)

    def test_unexpected_answer_is_an_error(self):
        # exit 1 without the `unhealthy:` line, exit 0 with another line, a usage error (2)
        for line, rc in (("Error: something", 1), ("maybe", 0), ("usage", 2)):
            with self.subTest(line=line, rc=rc):
                self.node("IDLE")
                self.run_wrapper(line, rc)
                self.assertTrue(self.current()["reason"].startswith(
                    f"mlstack: health check could not run: exit {rc}: {line}"))

    def test_hanging_doctor_is_killed_and_drains(self):
        self.node("IDLE")
        r = self.run_wrapper("healthy", 0, config="MLSTACK_TIMEOUT=1\n",
                             env={"FAKE_SLEEP": "60"}, timeout=20)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.current()["reason"],
                         "mlstack: unhealthy: no answer within 4 s (killed)")

    # --- configuration

    def test_doctor_arguments_from_config(self):
        self.node("IDLE")
        self.run_wrapper("healthy", 0, config=textwrap.dedent("""\
            MLSTACK_DOCTOR_ARGS="--python /opt/venv/bin/python --strict"
            MLSTACK_TIMEOUT=12
            """))
        self.assertEqual(self.doctor_args(), ["doctor", "--healthcheck", "--timeout", "12",
                                              "--python", "/opt/venv/bin/python", "--strict"])

    def test_timeout_clamped(self):
        for given, used in (("99", "40"), ("0", "1"), ("abc", "30"), ("08", "8"), ("", "30")):
            with self.subTest(given=given):
                self.node("IDLE")
                self.run_wrapper("healthy", 0, config=f"MLSTACK_TIMEOUT={given}\n")
                self.assertEqual(self.doctor_args()[2:4], ["--timeout", used])

    def test_node_name_from_config_over_slurmd(self):
        self.node("IDLE")
        (self.tmp / "node.json").write_text(json.dumps({"name": "other", "state": "IDLE"}))
        self.run_wrapper(UNHEALTHY, 1, config="MLSTACK_NODENAME=other\n")
        self.assertEqual(self.current()["state"], "IDLE+DRAIN")

    def test_scontrol_failure_exits_1_without_update(self):
        self.node("IDLE", fail=True)
        r = self.run_wrapper(UNHEALTHY, 1)
        self.assertEqual(r.returncode, 1)
        self.assertIn("scontrol show node failed", r.stderr)
        self.assertEqual(self.updates(), [])

    def test_unknown_node_exits_1(self):
        self.node("IDLE")
        r = self.run_wrapper(UNHEALTHY, 1, env={"SLURMD_NODENAME": "gpu99"})
        self.assertEqual(r.returncode, 1)
        self.assertEqual(self.updates(), [])


class Shellcheck(unittest.TestCase):
    def test_shellcheck(self):
        sc = shutil.which("shellcheck")
        if sc is None:
            if in_ci():
                self.fail("shellcheck is missing (Debian package shellcheck; CI is set)")
            self.skipTest("shellcheck is missing (Debian package shellcheck)")
        scripts = [WRAPPER, ROOT / "deploy" / "kubernetes" / "mlstack-node-check"]
        r = subprocess.run([sc, "-s", "sh", *[str(s) for s in scripts if s.exists()]],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
