# SPDX-License-Identifier: MIT
"""Runs one framework's load in this interpreter and prints what the load model needs and what
was mapped (tests/unit/linkmap/real_load_test.cpp). Usage: real_load_probe.py FRAMEWORK STAGE
with STAGE `import` (the import only) or `gpu` (the import, then a first GPU use, which falls
back to the CPU on a machine without a driver). FRAMEWORK may be several, comma-separated:
imported in that order, then each one's first GPU use in that order."""
import os
import site
import sys
import sysconfig

framework, stage = sys.argv[1], sys.argv[2]


def tiny_onnx_model():
    # An Identity model (float[1] -> float[1]), protobuf-encoded by hand (no `onnx` needed).
    def varint(n):
        out = bytearray()
        while True:
            low, n = n & 0x7F, n >> 7
            out.append(low | (0x80 if n else 0))
            if not n:
                return bytes(out)

    def field(number, payload):
        if isinstance(payload, int):
            return varint(number << 3) + varint(payload)
        payload = payload.encode() if isinstance(payload, str) else payload
        return varint(number << 3 | 2) + varint(len(payload)) + payload

    tensor = field(1, 1) + field(2, field(1, field(1, 1)))  # FLOAT, shape [1]
    value_type = field(1, tensor)
    node = field(1, "x") + field(2, "y") + field(4, "Identity")
    graph = (field(1, node) + field(2, "g") + field(11, field(1, "x") + field(2, value_type)) +
             field(12, field(1, "y") + field(2, value_type)))
    return field(1, 8) + field(7, graph) + field(8, field(1, "") + field(2, 13))


def load(framework, stage):
    if framework == "jax":
        import jax
        if stage == "gpu":
            print("DEVICES", jax.devices())
    elif framework == "onnxruntime":
        import onnxruntime
        if stage == "gpu":
            session = onnxruntime.InferenceSession(
                tiny_onnx_model(), providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
            print("PROVIDERS", session.get_providers())
    elif framework == "cupy":
        import cupy
        if stage == "gpu":
            cupy.cuda.nvrtc.getVersion()
            try:
                cupy.zeros(3)
            except Exception as e:  # no driver
                print("ZEROS", type(e).__name__)
            import importlib
            for name in ["cupy_backends.cuda.libs.cublas", "cupy_backends.cuda.libs.cusolver",
                         "cupy_backends.cuda.libs.cusparse", "cupy_backends.cuda.libs.curand",
                         "cupy.cuda.cufft", "cupy.cuda.jitify"]:
                try:
                    importlib.import_module(name)
                except ImportError as e:
                    print("NOIMPORT", name, e)


frameworks = framework.split(",")
for name in frameworks:
    load(name, "import")
if stage == "gpu":
    for name in frameworks:
        load(name, "gpu")

print("EXE", os.path.realpath(sys.executable))
print("EXT", sysconfig.get_config_var("EXT_SUFFIX"))
for p in sys.path[1:]:
    print("PATH", p)
for p in site.getsitepackages():
    print("SITE", p)
for line in open("/proc/self/maps"):
    parts = line.split(None, 5)
    if len(parts) > 5 and parts[5].startswith("/"):
        print("MAP", parts[5].strip())
