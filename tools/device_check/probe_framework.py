#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What one framework says about its own build and this GPU, on the device machine.

Prints one JSON object: the framework's version and CUDA/cuDNN/NCCL numbers as it reports
them, its devices, and the CUDA libraries this process really mapped after a small GPU
operation (read from /proc/self/maps). Errors are data: {"error": "..."}.
Usage: probe_framework.py torch|jax|cupy|onnxruntime
"""
import json
import os
import re
import sys
import traceback

LIBS = re.compile(r"/(lib(?:cudart|cudnn|cublas|cublasLt|nccl|nvJitLink|cufft|cusparse|cusolver|"
                  r"curand|nvrtc|cupti)\.so[.0-9]*)$")


def mapped_libraries():
    out = {}
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            m = LIBS.search(path)
            if m:
                out.setdefault(m.group(1), os.path.realpath(path))
    return out


def cudnn_text(v):
    # cuDNN >= 9: major*10000 + minor*100 + patch; 8.x: major*1000 + minor*100 + patch.
    if not v:
        return None
    if v >= 90000:
        return f"{v // 10000}.{v % 10000 // 100}.{v % 100}"
    return f"{v // 1000}.{v % 1000 // 100}.{v % 100}"


def probe_torch():
    import torch
    r = {"version": torch.__version__, "cuda": torch.version.cuda,
         "cudnn": cudnn_text(torch.backends.cudnn.version()),
         "arch_list": torch.cuda.get_arch_list(), "device_count": torch.cuda.device_count()}
    try:
        r["nccl"] = ".".join(map(str, torch.cuda.nccl.version()))
    except Exception as e:  # noqa: BLE001
        r["nccl_error"] = repr(e)
    r["devices"] = []
    for i in range(torch.cuda.device_count()):
        p = torch.cuda.get_device_properties(i)
        r["devices"].append({"name": p.name, "compute_capability": f"{p.major}.{p.minor}",
                             "memory_total_mib": p.total_memory // (1 << 20),
                             "uuid": str(getattr(p, "uuid", ""))})
    x = torch.randn(1, 3, 16, 16, device="cuda")
    w = torch.randn(4, 3, 3, 3, device="cuda")
    torch.nn.functional.conv2d(x, w)  # loads cuDNN
    (x.view(3, -1) @ x.view(3, -1).T).sum().item()  # loads cuBLAS
    torch.cuda.synchronize()
    return r


def probe_jax():
    import jax
    import jax.numpy as jnp
    r = {"version": jax.__version__}
    try:
        import jaxlib
        r["jaxlib"] = jaxlib.__version__
    except Exception as e:  # noqa: BLE001
        r["jaxlib_error"] = repr(e)
    r["devices"] = [{"name": getattr(d, "device_kind", str(d)), "platform": d.platform}
                    for d in jax.devices()]
    try:
        from jax._src.lib import cuda_versions
        if cuda_versions is not None:
            for key, fn in [("cuda_runtime", "cuda_runtime_get_version"),
                            ("cudnn_int", "cudnn_get_version"),
                            ("cuda_driver", "cuda_driver_get_version")]:
                if hasattr(cuda_versions, fn):
                    r[key] = getattr(cuda_versions, fn)()
            if "cudnn_int" in r:
                r["cudnn"] = cudnn_text(r["cudnn_int"])
    except Exception as e:  # noqa: BLE001
        r["cuda_versions_error"] = repr(e)
    x = jnp.ones((1, 3, 16, 16))
    w = jnp.ones((4, 3, 3, 3))
    jax.lax.conv(x, w, (1, 1), "SAME").block_until_ready()
    (x.reshape(3, -1) @ x.reshape(3, -1).T).block_until_ready()
    return r


def probe_cupy():
    import cupy
    r = {"version": cupy.__version__, "cuda_runtime": cupy.cuda.runtime.runtimeGetVersion(),
         "cuda_driver": cupy.cuda.runtime.driverGetVersion()}
    try:
        from cupy.cuda import nccl
        r["nccl_int"] = nccl.get_version()
    except Exception as e:  # noqa: BLE001
        r["nccl_error"] = repr(e)
    r["devices"] = []
    for i in range(cupy.cuda.runtime.getDeviceCount()):
        p = cupy.cuda.runtime.getDeviceProperties(i)
        r["devices"].append({"name": p["name"].decode(),
                             "compute_capability": f"{p['major']}.{p['minor']}",
                             "memory_total_mib": p["totalGlobalMem"] // (1 << 20)})
    a = cupy.ones((64, 64), dtype=cupy.float32)
    float((a @ a).sum())  # loads cuBLAS
    return r


def probe_onnxruntime():
    import onnxruntime as ort
    return {"version": ort.__version__, "device": ort.get_device(),
            "providers": ort.get_available_providers()}


def main():
    name = sys.argv[1]
    try:
        result = globals()[f"probe_{name}"]()
    except Exception:  # noqa: BLE001
        result = {"error": traceback.format_exc(limit=3)}
    result["framework"] = name
    try:
        result["mapped_libraries"] = mapped_libraries()
    except OSError as e:
        result["mapped_libraries_error"] = repr(e)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
