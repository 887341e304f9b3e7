#!/usr/bin/env python3
"""deploy/slurm/mlstack-healthcheck as a real slurmd's HealthCheckProgram (label `slurm`).

Starts, on localhost, in a temporary folder: munged (its own key and socket), slurmctld and
slurmd (a generated slurm.conf: this host as the only node, free ports, state, spool and logs in
the folder, SlurmUser=root, HealthCheckInterval=HC_INTERVAL s, HealthCheckNodeState=ANY). The
HealthCheckProgram is a launcher that sets SLURM_CONF and MLSTACK_HEALTHCHECK_CONFIG and runs
the wrapper; the configuration points the real mlstack at a `--site` folder (a link switched
between tests/cli's doctor-healthcheck-unhealthy and doctor-healthcheck-healthy fixtures).

1. failing doctor: the node becomes DRAIN with reason `mlstack: unhealthy: PKG-BAD-METADATA ...`
2. passing doctor: the node is resumed, IDLE without DRAIN and without a reason
3. drained by an administrator (`maintenance`), then failing and passing doctor runs (two
   health checks each, counted by the launcher): the node stays drained with that reason

Every daemon started is stopped at the end, on failure too. Opt-in: runs when
MLSTACK_SLURM_TEST=1 (`make slurm-test`), else skips (exit 77); without root or the Debian
packages (slurmctld, slurmd, slurm-client, munge) it skips too, or fails under CI=true.
Usage: slurm_integration_test.py MLSTACK_BINARY
"""
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
WRAPPER = ROOT / "deploy" / "slurm" / "mlstack-healthcheck"
FIXTURES = ROOT / "tests" / "cli"
SKIP = 77
HC_INTERVAL = 2
DEADLINE_S = 90


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def in_ci() -> bool:
    return os.environ.get("CI", "") not in ("", "0", "false", "False", "FALSE")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, mlstack: pathlib.Path):
        self.mlstack = mlstack
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="mlstack-slurm-test-"))
        # munged wants its socket's folders searchable by all and its key folder private
        self.dir.chmod(0o755)
        for sub, mode in (("run", 0o755), ("munge", 0o700), ("state", 0o700),
                          ("spool", 0o755), ("log", 0o755)):
            (self.dir / sub).mkdir(mode=mode)
            (self.dir / sub).chmod(mode)
        self.node = socket.gethostname().split(".")[0]
        self.conf = self.dir / "slurm.conf"
        self.socket = self.dir / "run" / "munge.socket"
        self.site = self.dir / "site"
        self.runs = self.dir / "hc-runs"
        self.procs = []  # (name, Popen)
        self.env = dict(os.environ, SLURM_CONF=str(self.conf))

    # --- set-up

    def write_files(self) -> None:
        key = self.dir / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o600)
        config = self.dir / "mlstack-healthcheck.env"
        config.write_text(
            f"MLSTACK={self.mlstack}\n"
            f"MLSTACK_DOCTOR_ARGS=\"--site {self.site} --python-version 3.11 --no-gpu\"\n"
            "MLSTACK_TIMEOUT=20\n"
            "MLSTACK_SYSLOG=0\n")
        launcher = self.dir / "healthcheck"
        launcher.write_text(
            "#!/bin/sh\n"
            f"SLURM_CONF={self.conf} MLSTACK_HEALTHCHECK_CONFIG={config} \\\n"
            f"  /bin/sh {WRAPPER} 2>>{self.dir}/log/healthcheck.log\n"
            f"echo $? >> {self.runs}\n")
        launcher.chmod(0o755)
        self.runs.write_text("")
        self.conf.write_text(f"""\
ClusterName=mlstacktest
SlurmctldHost={self.node}(127.0.0.1)
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.socket}
StateSaveLocation={self.dir}/state
SlurmdSpoolDir={self.dir}/spool
SlurmctldPidFile={self.dir}/run/slurmctld.pid
SlurmdPidFile={self.dir}/run/slurmd.pid
SlurmctldLogFile={self.dir}/log/slurmctld.log
SlurmdLogFile={self.dir}/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
MpiDefault=none
ReturnToService=2
HealthCheckProgram={launcher}
HealthCheckInterval={HC_INTERVAL}
HealthCheckNodeState=ANY
NodeName={self.node} NodeAddr=127.0.0.1 CPUs=1 RealMemory=64 State=UNKNOWN
PartitionName=debug Nodes={self.node} Default=YES MaxTime=INFINITE State=UP
""")

    def use_site(self, which: str) -> None:
        target = FIXTURES / f"doctor-healthcheck-{which}" / "fs" / "site"
        tmp = self.dir / "site.new"
        tmp.symlink_to(target)
        tmp.replace(self.site)
        log(f"doctor's --site is now the {which} fixture")

    def start(self, name: str, argv) -> None:
        log("$ " + " ".join(str(a) for a in argv))
        out = open(self.dir / "log" / f"{name}.out", "w")
        p = subprocess.Popen([str(a) for a in argv], stdout=out, stderr=subprocess.STDOUT,
                             env=self.env, start_new_session=True)
        self.procs.append((name, p))

    def start_all(self) -> None:
        self.start("munged", ["munged", "--foreground", f"--socket={self.socket}",
                              f"--key-file={self.dir}/munge/munge.key",
                              f"--pid-file={self.dir}/run/munged.pid",
                              f"--log-file={self.dir}/log/munged.log",
                              f"--seed-file={self.dir}/munge/seed"])
        self.wait_for(lambda: self.socket.exists(), "munged's socket")
        self.start("slurmctld", ["slurmctld", "-D", "-f", self.conf])
        self.wait_for(lambda: self.scontrol("ping", check=False).returncode == 0,
                      "slurmctld answering scontrol ping")
        self.start("slurmd", ["slurmd", "-D", "-f", self.conf, "-N", self.node])

    def stop_all(self) -> None:
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    log(f"{name} did not stop on SIGTERM: SIGKILL")
                    p.kill()
                    p.wait()
            log(f"stopped {name} (pid {p.pid}, exit {p.returncode})")
        self.procs.clear()

    # --- queries

    def scontrol(self, *args, check=True):
        return subprocess.run(["scontrol", *args], env=self.env, capture_output=True, text=True,
                              check=check, timeout=10)

    def node_state(self):
        shown = self.scontrol("show", "node", self.node).stdout
        state = re.search(r"\sState=(\S+)", shown).group(1)
        m = re.search(r"^\s*Reason=(.*?)(?: \[[^]]*@[^]]*\])?$", shown, re.M)
        return state, (m.group(1) if m else "")

    def state_if(self, predicate):
        """(state, reason) when predicate(state) holds, else None."""
        state, reason = self.node_state()
        return (state, reason) if predicate(state) else None

    def health_checks(self) -> int:
        return len(self.runs.read_text().split())

    def wait_for(self, predicate, what: str):
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            for name, p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited ({p.returncode}) while waiting for {what}")
            value = predicate()
            if value:
                return value
            time.sleep(0.25)
        raise TimeoutError(f"no {what} within {DEADLINE_S} s")

    def wait_health_checks(self, n: int) -> None:
        start = self.health_checks()
        self.wait_for(lambda: self.health_checks() >= start + n, f"{n} more health checks")

    def dump_logs(self) -> None:
        for f in sorted((self.dir / "log").iterdir()):
            text = f.read_text(errors="replace").splitlines()
            print(f"--- {f.name} (last 25 lines)")
            print("\n".join(text[-25:]))


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    mlstack = pathlib.Path(sys.argv[1]).resolve()
    if os.environ.get("MLSTACK_SLURM_TEST") != "1":
        print("skipped: set MLSTACK_SLURM_TEST=1 (make slurm-test) to start slurmctld and slurmd")
        return SKIP
    missing = [t for t in ("munged", "slurmctld", "slurmd", "scontrol")
               if shutil.which(t) is None]
    if missing or os.geteuid() != 0:
        msg = f"needs root and {', '.join(missing) or 'slurm'} (make slurm-test installs them)"
        if in_ci():
            print(f"FAIL: {msg} (CI is set)")
            return 1
        print(f"skipped: {msg}")
        return SKIP
    started = time.monotonic()
    cluster = Cluster(mlstack)
    ok = False
    try:
        cluster.write_files()
        cluster.use_site("unhealthy")
        cluster.start_all()

        log("1. failing doctor: the node must be drained with mlstack's reason")
        state, reason = cluster.wait_for(lambda: cluster.state_if(lambda s: "DRAIN" in s),
                                         "DRAIN state")
        log(f"   State={state} Reason={reason}")
        assert reason.startswith("mlstack: unhealthy: PKG-BAD-METADATA error parsing "
                                 "dependencies of broken-pkg"), reason

        log("2. passing doctor: the node must be resumed")
        cluster.use_site("healthy")
        # RESUME marks the node NOT_RESPONDING until slurmctld's next ping of slurmd: wait for IDLE
        state, reason = cluster.wait_for(lambda: cluster.state_if(lambda s: s == "IDLE"),
                                         "the node resumed, IDLE")
        log(f"   State={state} Reason={reason or '(none)'}")
        assert state == "IDLE", state
        assert reason == "", reason

        log("3. drained by someone else: left drained, with that reason")
        cluster.scontrol("update", f"NodeName={cluster.node}", "State=DRAIN",
                         "Reason=maintenance: new NVMe")
        for which in ("unhealthy", "healthy"):
            cluster.use_site(which)
            cluster.wait_health_checks(2)
            state, reason = cluster.node_state()
            log(f"   after {which} checks: State={state} Reason={reason}")
            assert "DRAIN" in state, state
            assert reason == "maintenance: new NVMe", reason
        said = (cluster.dir / "log" / "healthcheck.log").read_text()
        assert "left as it is: IDLE+DRAIN by someone else (reason: maintenance: new NVMe)" in said, said
        runs = cluster.runs.read_text().split()
        assert set(runs) == {"0"}, f"the wrapper's exit codes: {runs}"
        log(f"{len(runs)} health checks, all exit 0")
        ok = True
    except Exception as e:  # noqa: BLE001 — report, dump the daemons' logs, fail
        log(f"FAILED: {type(e).__name__}: {e}")
        cluster.dump_logs()
    finally:
        cluster.stop_all()
        if ok:
            shutil.rmtree(cluster.dir, ignore_errors=True)
        else:
            log(f"kept {cluster.dir} for a look")
    log(f"{'passed' if ok else 'failed'} in {time.monotonic() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
