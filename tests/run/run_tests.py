#!/usr/bin/env python3
"""`mlstack run` end to end, without a GPU.

A virtual environment gets stand-ins for torch, TensorFlow, JAX and CuPy: a `*.dist-info`
folder (so that mlstack finds the framework and its version) and a module whose GPU memory API
appends each call, with its arguments, to the file FAKE_RECORD names. The tests run commands
under `mlstack run` and assert the calls the shim made, the environment the command saw, and
that the command's exit status, signals, stdin and process are its own. GPUs' memory comes from
the fake NVML (tests/fake_nvml). Usage: run_tests.py MLSTACK --fake-nvml LIB
"""
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import textwrap

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data"

RECORDER = '''
import json, os
def _record(call, *args):
    with open(os.environ["FAKE_RECORD"], "a") as f:
        f.write(json.dumps([call] + list(args)) + "\\n")
'''

TORCH_CUDA = RECORDER + '''
_queued = []
def device_count():
    return 2
def _lazy_call(callable):
    _queued.append(callable)
def init():  # what CUDA's initialisation does with the queued calls
    for c in _queued:
        c()
def set_per_process_memory_fraction(fraction, device=None):
    _record("torch.cuda.set_per_process_memory_fraction", fraction, device)
'''

TENSORFLOW = RECORDER + '''
class LogicalDeviceConfiguration(object):
    def __init__(self, memory_limit=None):
        self.memory_limit = memory_limit
class _Config(object):
    LogicalDeviceConfiguration = LogicalDeviceConfiguration
    def list_physical_devices(self, kind=None):
        return ["/physical_device:GPU:0", "/physical_device:GPU:1"] if kind == "GPU" else []
    def set_logical_device_configuration(self, device, configs):
        _record("tf.config.set_logical_device_configuration", device,
                [c.memory_limit for c in configs])
config = _Config()
__version__ = "%s"
'''


def dist_info(site, name, version):
    d = site / f"{name.replace('-', '_')}-{version}.dist-info"
    d.mkdir()
    (d / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (d / "INSTALLER").write_text("pip\n")


def make_env(root, torch="2.9.1", tensorflow="2.20.0", jaxlib="0.4.30", cupy="13.3.0",
             user_sitecustomize=True):
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    site = next(root.glob("lib/python3*/site-packages"))
    if torch:
        dist_info(site, "torch", torch)
        (site / "torch").mkdir()
        (site / "torch" / "__init__.py").write_text(
            f"from . import cuda\n__version__ = {torch!r}\n")
        (site / "torch" / "cuda.py").write_text(TORCH_CUDA)
    if tensorflow:
        dist_info(site, "tensorflow", tensorflow)
        (site / "tensorflow").mkdir()
        (site / "tensorflow" / "__init__.py").write_text(TENSORFLOW % tensorflow)
    if jaxlib:
        dist_info(site, "jaxlib", jaxlib)
        dist_info(site, "jax", jaxlib)
    if cupy:
        dist_info(site, "cupy-cuda12x", cupy)
    if user_sitecustomize:
        (site / "sitecustomize.py").write_text(RECORDER + '_record("user sitecustomize")\n')
    return root / "bin" / "python"


class Runner:
    def __init__(self, mlstack, fake_nvml, tmp):
        self.mlstack = mlstack
        self.tmp = tmp
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("MLSTACK_", "CUDA_", "PYTORCH_", "TF_", "XLA_", "CUPY_",
                                         "PYTHON"))}
        self.env["XDG_CACHE_HOME"] = str(tmp / "cache")
        self.env["MLSTACK_NVML_LIBRARY"] = fake_nvml
        self.env["MLSTACK_FAKE_NVML_JSON"] = str(DATA / "nvml" / "h200-580.json")
        self.record = tmp / "record.jsonl"
        self.env["FAKE_RECORD"] = str(self.record)
        self.failures = 0

    def run(self, args, extra_env=None, **kw):
        if self.record.exists():
            self.record.unlink()
        env = dict(self.env, **(extra_env or {}))
        return subprocess.run([self.mlstack, "run", *args], env=env, capture_output=True,
                              text=True, timeout=60, **kw)

    def calls(self):
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines()]

    def check(self, name, condition, detail=""):
        if not condition:
            self.failures += 1
            print(f"FAIL {name}\n{textwrap.indent(str(detail), '    ')}")
        else:
            print(f"ok   {name}")


SHOW_ENV = ("import json, os; print(json.dumps({k: os.environ.get(k) for k in ["
            "'PYTORCH_CUDA_ALLOC_CONF', 'PYTORCH_ALLOC_CONF', 'TF_FORCE_GPU_ALLOW_GROWTH', "
            "'XLA_PYTHON_CLIENT_PREALLOCATE', 'XLA_PYTHON_CLIENT_MEM_FRACTION', "
            "'CUPY_GPU_MEMORY_LIMIT', 'MLSTACK_SHARE', 'MLSTACK_SHARE_GPU_MIB']}))")


def main():
    mlstack = sys.argv[1]
    fake_nvml = sys.argv[sys.argv.index("--fake-nvml") + 1]
    with tempfile.TemporaryDirectory(prefix="mlstack-run-") as tmp_name:
        tmp = pathlib.Path(tmp_name)
        r = Runner(mlstack, fake_nvml, tmp)
        py = make_env(tmp / "env")
        h200 = json.loads((DATA / "nvml" / "h200-580.json").read_text())

        # Growth settings, by version, seen by the command.
        p = r.run(["--python", str(py), "--", str(py), "-c", SHOW_ENV])
        seen = json.loads(p.stdout) if p.returncode == 0 else {}
        r.check("growth settings for torch 2.9.1, TF, JAX, CuPy", seen == {
            "PYTORCH_CUDA_ALLOC_CONF": "expandable_segments:True", "PYTORCH_ALLOC_CONF": None,
            "TF_FORCE_GPU_ALLOW_GROWTH": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "false",
            "XLA_PYTHON_CLIENT_MEM_FRACTION": None, "CUPY_GPU_MEMORY_LIMIT": None,
            "MLSTACK_SHARE": None, "MLSTACK_SHARE_GPU_MIB": None}, (p.stdout, p.stderr))
        r.check("nothing on stderr when it runs", p.stderr == "", p.stderr)

        # The user's own value stays, under either name of torch's allocator setting.
        p = r.run(["--python", str(py), "--", str(py), "-c", SHOW_ENV],
                  {"PYTORCH_ALLOC_CONF": "max_split_size_mb:64", "TF_FORCE_GPU_ALLOW_GROWTH": "false"})
        seen = json.loads(p.stdout) if p.returncode == 0 else {}
        r.check("a variable the user set is kept", seen.get("PYTORCH_ALLOC_CONF") ==
                "max_split_size_mb:64" and seen.get("PYTORCH_CUDA_ALLOC_CONF") is None and
                seen.get("TF_FORCE_GPU_ALLOW_GROWTH") == "false", seen)

        # Caps: torch and TensorFlow through their APIs at import, JAX and CuPy by variable.
        script = ("import torch, tensorflow; torch.cuda.init(); import os; "
                  "print(os.environ['XLA_PYTHON_CLIENT_MEM_FRACTION'], os.environ['CUPY_GPU_MEMORY_LIMIT'])")
        p = r.run(["--python", str(py), "--share", "torch=0.3,tensorflow=0.2",
                   "--share", "jax=0.25,cupy=0.15", "--", str(py), "-c", script])
        calls = r.calls()
        total = h200["devices"][0]["memory"]["total"] // (1 << 20)  # one H200, in MiB
        expected_tf = int(total * 0.2)
        r.check("caps: the user's sitecustomize still runs", ["user sitecustomize"] in calls, calls)
        r.check("caps: torch.cuda.set_per_process_memory_fraction(0.3, device) per device",
                [c for c in calls if c[0].startswith("torch")] ==
                [["torch.cuda.set_per_process_memory_fraction", 0.3, 0],
                 ["torch.cuda.set_per_process_memory_fraction", 0.3, 1]], (calls, p.stderr))
        tf_calls = [c for c in calls if c[0].startswith("tf.")]
        r.check("caps: tf.config.set_logical_device_configuration(memory_limit=0.2 x total MiB)",
                len(tf_calls) >= 1 and tf_calls[0][1] == "/physical_device:GPU:0" and
                tf_calls[0][2] == [expected_tf], (tf_calls, expected_tf, p.stderr))
        r.check("caps: TensorFlow's second GPU has no size (one GPU in NVML): said, not capped",
                len(tf_calls) == 1 and "GPU 1 is not capped" in p.stderr, p.stderr)
        r.check("caps: JAX and CuPy variables", p.stdout.split() == ["0.25", "15%"], (p.stdout, p.stderr))
        r.check("caps: exit 0", p.returncode == 0, p.stderr)

        # Under an outer `mlstack run`, PYTHONPATH gets the shim once, and the caps still apply.
        inner = (f"import os, subprocess; print(os.environ['PYTHONPATH']); subprocess.run(["
                 f"{mlstack!r}, 'run', '--python', {str(py)!r}, '--share', 'torch=0.25', '--', "
                 f"{str(py)!r}, '-c', 'import os, torch; torch.cuda.init(); "
                 f"print(os.environ[\"PYTHONPATH\"])'], check=True)")
        p = r.run(["--python", str(py), "--share", "torch=0.5", "--", str(py), "-c", inner],
                  {"PYTHONPATH": "/elsewhere"})
        paths = p.stdout.split()
        r.check("nested run: the shim once on PYTHONPATH, the inner cap applied",
                len(paths) == 2 and paths[0] == paths[1] and paths[0].endswith(":/elsewhere") and
                paths[0].count("shim-") == 1 and
                ["torch.cuda.set_per_process_memory_fraction", 0.25, 0] in r.calls(),
                (p.stdout, p.stderr, r.calls()))

        # Importing torch alone initialises nothing: the cap waits for CUDA's initialisation.
        p = r.run(["--python", str(py), "--share", "torch=0.5", "--", str(py), "-c", "import torch"])
        r.check("torch cap waits for CUDA's initialisation",
                [c for c in r.calls() if c[0].startswith("torch")] == [], r.calls())

        # Refusals, exit 2.
        for args, text in [
            (["--share", "torch=0.7,jax=0.5"], "the caps add up to 1.2"),
            (["--share", "onnx=0.3"], "unknown framework `onnx`"),
            (["--share", "torch=2"], "at most 1"),
        ]:
            p = r.run(["--python", str(py), *args, "--", "true"])
            r.check(f"refused: {' '.join(args)}", p.returncode == 2 and text in p.stderr, p.stderr)
        py_small = make_env(tmp / "small", tensorflow=None, jaxlib=None, cupy=None)
        p = r.run(["--python", str(py_small), "--share", "jax=0.3", "--", "true"])
        r.check("refused: a cap for a framework that is not installed",
                p.returncode == 2 and "jax is not installed" in p.stderr, p.stderr)

        # Exec semantics.
        p = r.run(["--python", str(py), "--", str(py), "-c", "import sys; sys.exit(42)"])
        r.check("exit status passes through", p.returncode == 42, p.returncode)
        p = r.run(["--python", str(py), "--", str(py), "-c",
                   "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"])
        r.check("a signal that kills the command kills the process mlstack was",
                p.returncode == -signal.SIGTERM, p.returncode)
        p = r.run(["--python", str(py), "--", "cat"], input="stdin reaches the command\n")
        r.check("stdin, stdout", p.stdout == "stdin reaches the command\n", p)
        child = subprocess.Popen([mlstack, "run", "--python", str(py), "--", str(py), "-c",
                                  "import os; print(os.getpid())"], env=r.env,
                                 stdout=subprocess.PIPE, text=True)
        out, _ = child.communicate(timeout=60)
        r.check("no process in between (exec)", out.strip() == str(child.pid), (out, child.pid))
        p = r.run(["--python", str(py), "--", "no-such-command-here"])
        r.check("command not found: 127", p.returncode == 127 and "command not found" in p.stderr,
                (p.returncode, p.stderr))
        p = r.run(["--python", str(py), "--", str(tmp)])
        r.check("not executable: 126", p.returncode == 126, (p.returncode, p.stderr))

        # Old torch: nothing set, and --print-env says why.
        py_old = make_env(tmp / "old", torch="1.12.1+cu113", tensorflow="2.9.1", jaxlib=None,
                          cupy=None)
        p = r.run(["--python", str(py_old), "--print-env"])
        r.check("torch 1.12.1: no allocator setting, a note",
                "PYTORCH" not in p.stdout.replace("# note", "") or "export PYTORCH" not in p.stdout,
                p.stdout)
        r.check("torch 1.12.1: the note", "no expandable_segments" in p.stdout, p.stdout)

        # --print-env formats, and the shell's lines work when evaluated.
        p = r.run(["--python", str(py), "--share", "torch=0.3", "--print-env"],
                  {"TF_FORCE_GPU_ALLOW_GROWTH": "it's mine"})
        r.check("--print-env: kept variable said", "TF_FORCE_GPU_ALLOW_GROWTH is already set to"
                in p.stdout, p.stdout)
        shell = subprocess.run(["sh", "-c", p.stdout + f"\n{py} -c \"import torch; torch.cuda.init()\""],
                               env=dict(r.env, PYTHONPATH="/elsewhere"), capture_output=True, text=True)
        r.check("--print-env sh: eval'd lines apply the cap",
                ["torch.cuda.set_per_process_memory_fraction", 0.3, 0] in r.calls(),
                (shell.stderr, r.calls()))
        p = r.run(["--python", str(py), "--share", "torch=0.3", "--print-env", "--format", "json"])
        doc = json.loads(p.stdout)
        r.check("--print-env json", doc["schema"] == "mlstack.run-env/1" and
                {s["name"] for s in doc["settings"]} >= {"MLSTACK_SHARE", "PYTORCH_CUDA_ALLOC_CONF"}
                and doc["shim_dir"], doc)
        p = r.run(["--python", str(py), "--share", "torch=0.3", "--print-env", "--format",
                   "dockerfile"], {"TF_FORCE_GPU_ALLOW_GROWTH": "mine"})
        r.check("--print-env dockerfile", 'ENV TF_FORCE_GPU_ALLOW_GROWTH="true"' in p.stdout and
                'RUN ["mlstack", "run", "--write-shim", "/opt/mlstack/shim"]' in p.stdout and
                'ENV PYTHONPATH="/opt/mlstack/shim${PYTHONPATH:+:$PYTHONPATH}"' in p.stdout, p.stdout)
        p = r.run(["--python", str(py), "--share", "tensorflow=0.3", "--print-env", "--format",
                   "dockerfile"])
        r.check("--print-env dockerfile: no TensorFlow cap sized from this machine",
                p.returncode == 2 and "cannot go into a Dockerfile" in p.stderr, p.stderr)
        p = r.run(["--write-shim", str(tmp / "image-shim")])
        r.check("--write-shim", p.returncode == 0 and (tmp / "image-shim" / "sitecustomize.py").is_file(),
                p.stderr)

        print(f"{r.failures} failure(s)")
        return 1 if r.failures else 0


if __name__ == "__main__":
    sys.exit(main())
