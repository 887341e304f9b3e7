"""The golden doctor cases of tests/cli, run again in another output format.

Shared by the format validators (validate_prometheus.py, validate_nfd.py, validate_junit.py):
every case whose args start with `doctor`, that is not `--healthcheck` and does not exit 2, is
set up as run_cli_tests.py sets it up (fs/ copy, env, {DATA}, {FAKE_NVML}) and run with `--json`
left out and the format's arguments added.
"""
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run_cli_tests  # noqa: E402


def in_ci() -> bool:
    """CI set and not 0/false (as tests/unit/reference_check.hpp reads it)."""
    return os.environ.get("CI", "") not in ("", "0", "false", "False", "FALSE")


def decoded(p: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    """stdout and stderr as UTF-8 text, line ends as written (text=True would make a `\r` in
    a label value a line feed)."""
    p.stdout = p.stdout.decode("utf-8", "replace")
    p.stderr = p.stderr.decode("utf-8", "replace")
    return p


def doctor_cases() -> list[pathlib.Path]:
    out = []
    for case in sorted(HERE.iterdir()):
        args_file = case / "args"
        if not args_file.is_file():
            continue
        args = args_file.read_text().split()
        if args[:1] == ["doctor"] and "--healthcheck" not in args and "--format" not in args and \
                (case / "exit_code").read_text().strip() != "2":
            out.append(case)
    return out


def run_case(binary: str, fake_nvml: str, case: pathlib.Path, extra: list[str],
             env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The case's command with `--json` left out and `extra` added; stdout and stderr as text."""
    with tempfile.TemporaryDirectory(prefix="mlstack-fmt-", dir="/tmp") as tmp:
        tmp_path = pathlib.Path(tmp)
        fs = tmp_path / "fs"
        fs.mkdir()
        if (case / "fs").is_dir():
            run_cli_tests.copy_tree(case / "fs", fs)
        data = tmp_path / "data"
        data.symlink_to(run_cli_tests.DATA.resolve())
        nvml = ""
        if fake_nvml:
            (tmp_path / "nvml").mkdir()
            nvml = str(tmp_path / "nvml" / "libnvidia-ml.so.1")
            pathlib.Path(nvml).symlink_to(pathlib.Path(fake_nvml).resolve())
        args = [run_cli_tests.expand(a, fs, str(data), nvml)
                for a in (case / "args").read_text().splitlines() if a and a != "--json"]
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("MLSTACK_", "CUDA_")) and k != "LD_LIBRARY_PATH"}
        env["NO_COLOR"] = "1"
        env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
        if (case / "env").is_file():
            for line in (case / "env").read_text().splitlines():
                if "=" in line:
                    k, v = line.split("=", 1)
                    env[k] = run_cli_tests.expand(v, fs, str(data), nvml)
        env.update(env_extra or {})
        return decoded(subprocess.run([binary, *args, *extra], capture_output=True, env=env,
                                      timeout=120))


def live(binary: str, extra: list[str], cwd: str | None = None) -> subprocess.CompletedProcess:
    """`doctor --no-gpu` on the interpreter running this script, with `extra`."""
    with tempfile.TemporaryDirectory(prefix="mlstack-fmt-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLSTACK_")}
        env["XDG_CACHE_HOME"] = tmp
        return decoded(subprocess.run(
            [binary, "doctor", "--no-gpu", "--python", sys.executable, *extra],
            capture_output=True, env=env, timeout=300, cwd=cwd))
