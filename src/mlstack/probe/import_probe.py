# SPDX-License-Identifier: MIT
# mlstack's import probe (docs/probe.md), run by `doctor --probe` as
#   PYTHON -B -c THIS_SOURCE [--gpu] MODULE...
# with descriptor 3 the write end of a pipe. It imports each MODULE in order and writes its
# answer to descriptor 3 as JSON lines, one record at a time, so that whatever a framework
# prints to stdout or stderr cannot corrupt it and a crash leaves every record written before:
#   {"event": "baseline", "python": ..., "mapped": [...]}
#   {"event": "start", "framework": NAME}                     before each import
#   {"event": "import", "framework": NAME, "ok": true, "import_s": S, "version": V,
#    "mapped": [...]}                                          after it ("ok": false, "error")
#   {"event": "devices", "framework": NAME, "devices": [...] or null, "backends": [...],
#    "notes": [...]}                                           after every import succeeded
#   {"event": "done", "mapped": [...]}                         the answer is complete
# "mapped": the paths of executable file mappings in /proc/self/maps (the kernel names the
# real file), sorted. Devices are listed only in ways that take no GPU memory and create no
# CUDA context, unless --gpu is given (JAX's and CuPy's listings create one).
import sys

# `-c` puts the working directory first on sys.path (unless -P / PYTHONSAFEPATH): the user's
# folder must not shadow a framework (a `torch.py` next to them), as it would not for an
# installed program.
if not getattr(sys.flags, "safe_path", False) and sys.path and sys.path[0] == "":
    del sys.path[0]

import faulthandler
import importlib
import json
import os
import time

faulthandler.enable()  # a crash prints the Python stack to stderr (the report's tail)
ANSWER_FD = 3
os.set_inheritable(ANSWER_FD, False)  # a program a framework execs does not get it


def send(record):
    data = (json.dumps(record) + "\n").encode("utf-8")
    view = memoryview(data)
    while view:
        view = view[os.write(ANSWER_FD, view):]


def mapped():
    found = set()
    with open("/proc/self/maps", "rb") as maps:
        for line in maps:
            fields = line.split(None, 5)
            if len(fields) == 6 and b"x" in fields[1] and fields[5].startswith(b"/"):
                found.add(fields[5].rstrip(b"\n").decode("utf-8", "backslashreplace"))
    return sorted(found)


def one_line(error):
    text = "%s: %s" % (type(error).__name__, error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


def torch_devices(torch, gpu):
    # PYTORCH_NVML_BASED_CUDA_CHECK=1 (set by mlstack): counted through NVML, no CUDA init.
    count = torch.cuda.device_count()
    names = []
    for i in range(count):
        names.append("cuda:%d %s" % (i, torch.cuda.get_device_name(i)) if gpu else "cuda:%d" % i)
    return names, [], []


def tensorflow_devices(tf, gpu):
    return [d.name for d in tf.config.list_physical_devices("GPU")], [], []


def jax_devices(jax, gpu):
    from jax._src import xla_bridge

    backends = sorted(getattr(xla_bridge, "_backend_factories", {}))
    if gpu:
        return [str(d) for d in jax.devices()], sorted(xla_bridge.backends()), []
    # Listing devices creates every backend's client (a CUDA context): only the backends
    # registered by the import, and the plugins installed (loaded at the first GPU use).
    try:
        import importlib.metadata
        import pkgutil

        import jax_plugins

        plugins = {name for _, name, _ in pkgutil.iter_modules(jax_plugins.__path__, "jax_plugins.")}
        plugins |= {e.value for e in importlib.metadata.entry_points(group="jax_plugins")}
        backends += ["plugin:" + name for name in sorted(plugins)]
    except ImportError:
        pass
    return None, backends, ["jax: devices not listed: that creates a GPU context (--probe-gpu)"]


def onnxruntime_devices(ort, gpu):
    return None, list(ort.get_available_providers()), []


def cupy_devices(cupy, gpu):
    if not gpu:
        return None, [], ["cupy: devices not listed: that initializes CUDA (--probe-gpu)"]
    runtime = cupy.cuda.runtime
    names = []
    for i in range(runtime.getDeviceCount()):
        name = runtime.getDeviceProperties(i)["name"]
        names.append("cuda:%d %s" % (i, name.decode() if isinstance(name, bytes) else name))
    return names, [], []


DEVICES = {
    "torch": torch_devices,
    "tensorflow": tensorflow_devices,
    "jax": jax_devices,
    "onnxruntime": onnxruntime_devices,
    "cupy": cupy_devices,
}


def main(args):
    gpu = "--gpu" in args
    names = [a for a in args if a != "--gpu"]
    send({"event": "baseline", "python": sys.version.split()[0], "mapped": mapped()})
    modules = []
    for name in names:
        send({"event": "start", "framework": name})
        began = time.perf_counter()
        try:
            module = importlib.import_module(name)
        except BaseException as error:  # SystemExit and KeyboardInterrupt too
            elapsed = time.perf_counter() - began
            import traceback

            traceback.print_exc()
            send({"event": "import", "framework": name, "ok": False, "import_s": elapsed,
                  "error": one_line(error), "mapped": mapped()})
            return 0
        elapsed = time.perf_counter() - began
        version = getattr(module, "__version__", None)
        send({"event": "import", "framework": name, "ok": True, "import_s": elapsed,
              "version": version if isinstance(version, str) else None, "mapped": mapped()})
        modules.append((name, module))
    for name, module in modules:
        query = DEVICES.get(name)
        if query is None:
            continue
        try:
            devices, backends, notes = query(module, gpu)
        except BaseException as error:
            devices, backends = None, []
            notes = ["%s: listing devices failed: %s" % (name, one_line(error))]
        send({"event": "devices", "framework": name, "devices": devices, "backends": backends,
              "notes": notes})
    send({"event": "done", "mapped": mapped()})
    return 0


sys.exit(main(sys.argv[1:]))
