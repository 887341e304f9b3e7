#!/usr/bin/env python3
"""Golden tests of the mlstack command line.

Each folder tests/cli/<case>/ holds:
  args        the arguments, one per line: `{FS}` stands for the case's fs/ copy, `{DATA}` for
              tests/data, `{FAKE_NVML}` for the fake libnvidia-ml.so.1 (tests/fake_nvml)
  fs/         an optional file tree, copied to a temporary folder first (files named
              `*.hex` are written decoded, for non-UTF-8 bytes)
  env         optional KEY=VALUE lines added to the environment
  stdout, stderr, exit_code   the expected results; the temporary folder reads `[TMP]`
  html        with `{HTML}` in args (`doctor --html {HTML}`): the page expected in that file

The text report wraps to 100 columns, so every path in it has a length that does not depend on
the machine: the temporary folder is /tmp/mlstack-cli-XXXXXXXX, and {DATA} and {FAKE_NVML} are
symbolic links inside it.

MLSTACK_UPDATE_GOLDEN=1 rewrites the expected files; review the diff before committing.
Usage: run_cli_tests.py MLSTACK_BINARY [--fake-nvml LIB] [CASE...]
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent


def copy_tree(src: pathlib.Path, dst: pathlib.Path) -> None:
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        target = dst / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.suffix == ".hex":
            target = target.with_suffix("")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(bytes.fromhex(path.read_text().replace("\n", "").replace(" ", "")))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


DATA = HERE.parent / "data"


def expand(text: str, fs: pathlib.Path, data: str, fake_nvml: str) -> str:
    return (text.replace("{FS}", str(fs)).replace("{DATA}", data)
            .replace("{FAKE_NVML}", fake_nvml)
            .replace("{HTML}", str(fs.parent / "report.html")))


def run_case(binary: str, case: pathlib.Path, update: bool, fake_nvml: str) -> bool:
    with tempfile.TemporaryDirectory(prefix="mlstack-cli-", dir="/tmp") as tmp:
        tmp_path = pathlib.Path(tmp)
        fs = tmp_path / "fs"
        fs.mkdir()
        if (case / "fs").is_dir():
            copy_tree(case / "fs", fs)
        data = tmp_path / "data"
        data.symlink_to(DATA.resolve())
        nvml = ""
        if fake_nvml:
            nvml = str(tmp_path / "nvml" / "libnvidia-ml.so.1")
            (tmp_path / "nvml").mkdir()
            pathlib.Path(nvml).symlink_to(pathlib.Path(fake_nvml).resolve())
        args = [expand(a, fs, str(data), nvml)
                for a in (case / "args").read_text().splitlines() if a]
        # The machine's own GPU and mlstack settings must not leak into the goldens.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("MLSTACK_", "CUDA_")) and k != "LD_LIBRARY_PATH"}
        env["NO_COLOR"] = "1"
        env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
        if (case / "env").is_file():
            for line in (case / "env").read_text().splitlines():
                if "=" in line:
                    k, v = line.split("=", 1)
                    env[k] = expand(v, fs, str(data), nvml)
        html = tmp_path / "report.html"
        wants_html = "{HTML}" in (case / "args").read_text()
        p = subprocess.run([binary, *args], capture_output=True, env=env, timeout=60)
        got = {
            "stdout": filtered(p.stdout, tmp_path, fake_nvml),
            "stderr": filtered(p.stderr, tmp_path, fake_nvml),
            "exit_code": f"{p.returncode}\n",
        }
        if wants_html:
            got["html"] = filtered(html.read_bytes(), tmp_path, fake_nvml) if html.exists() else ""
        ok = True
        if args[:1] == ["doctor"]:
            # Again with the file-facts cache the first run left: the same bytes.
            again = subprocess.run([binary, *args], capture_output=True, env=env, timeout=60)
            outputs = [("stdout", again.stdout), ("stderr", again.stderr)]
            if wants_html and html.exists():
                outputs.append(("html", html.read_bytes()))
            for name, raw in outputs:
                if filtered(raw, tmp_path, fake_nvml) != got[name]:
                    ok = False
                    print(f"--- {case.name}/{name}: differs on a second run (warm cache)")
            if again.returncode != p.returncode:
                ok = False
                print(f"--- {case.name}: exit code {again.returncode} on a second run")
    for name, value in got.items():
        expected_file = case / name
        if update:
            expected_file.write_text(value)
            continue
        expected = expected_file.read_text() if expected_file.exists() else ""
        if value != expected:
            ok = False
            print(f"--- {case.name}/{name}: expected\n{expected}--- got\n{value}---")
    return ok


def filtered(raw: bytes, tmp_path: pathlib.Path, fake_nvml: str) -> str:
    text = raw.decode("utf-8", "replace")
    text = text.replace(str(tmp_path / "data"), "[DATA]")
    text = text.replace(str(tmp_path / "nvml" / "libnvidia-ml.so.1"), "[FAKE_NVML]")
    text = text.replace(str(tmp_path), "[TMP]")
    if fake_nvml:
        text = text.replace(fake_nvml, "[FAKE_NVML]")
    return text.replace(str(DATA), "[DATA]")


def main() -> int:
    binary = sys.argv[1]
    names = sys.argv[2:]
    fake_nvml = ""
    if names[:1] == ["--fake-nvml"]:
        fake_nvml = names[1]
        names = names[2:]
    update = os.environ.get("MLSTACK_UPDATE_GOLDEN") == "1"
    cases = sorted(p for p in HERE.iterdir() if p.is_dir() and (p / "args").exists())
    if names:
        cases = [c for c in cases if c.name in names]
    failed = [c.name for c in cases if not run_case(binary, c, update, fake_nvml)]
    print(f"{len(cases) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
