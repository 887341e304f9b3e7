#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Issue 9's GPU check of `mlstack run`, for a device machine with torch and JAX (CUDA) installed.

Three runs of one probe in fresh processes, each printing one JSON line:
  baseline   plain python: JAX's first operation preallocates, then torch allocates 40 % of the
             card (expected today: out of memory);
  run        the same under `mlstack run` (expected: succeeds);
  share      `mlstack run --share torch=0.3`: torch allocates 35 % (expected: out of memory)
             and JAX computes afterwards (expected: works).
Usage: share_check.py MLSTACK [PYTHON]   (prints {"skipped": ...} without torch + JAX on a GPU)
"""
import json
import subprocess
import sys

PROBE = r'''
import json, sys
fraction = float(sys.argv[1])
out = {}
try:
    import jax, jax.numpy as jnp
    out["jax_first_op"] = float(jnp.ones(4).sum())
    import torch
    total = torch.cuda.get_device_properties(0).total_memory
    try:
        t = torch.empty(int(total * fraction), dtype=torch.uint8, device="cuda")
        out["torch_alloc"] = "ok"
        del t
    except RuntimeError as e:  # torch.cuda.OutOfMemoryError is a RuntimeError
        out["torch_alloc"] = "oom" if "out of memory" in str(e).lower() else "error: %s" % e
    out["jax_after"] = float((jnp.arange(1000.0) * 2).sum())
except Exception as e:
    out["error"] = "%s: %s" % (type(e).__name__, e)
print(json.dumps(out))
'''


def probe(prefix, python, fraction):
    p = subprocess.run(prefix + [python, "-c", PROBE, str(fraction)], capture_output=True,
                       text=True, timeout=300)
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": "exit %d: %s" % (p.returncode, p.stderr[-500:])}


def main():
    mlstack = sys.argv[1]
    python = sys.argv[2] if len(sys.argv) > 2 else "python3"
    ready = subprocess.run([python, "-c", "import torch, jax; assert torch.cuda.is_available(); "
                            "assert jax.devices()[0].platform == 'gpu'"], capture_output=True)
    if ready.returncode != 0:
        print(json.dumps({"skipped": "torch and JAX with a GPU are not importable by " + python}))
        return 0
    run = [mlstack, "run", "--python", python, "--"]
    share = [mlstack, "run", "--python", python, "--share", "torch=0.3", "--"]
    results = {
        "baseline": probe([], python, 0.40),
        "run": probe(run, python, 0.40),
        "share": probe(share, python, 0.35),
    }
    expected = {"baseline": "oom", "run": "ok", "share": "oom"}
    for name, r in results.items():
        r["expected_torch_alloc"] = expected[name]
        r["as_expected"] = r.get("torch_alloc") == expected[name] and "jax_after" in r
        print(json.dumps({name: r}))
    return 0 if all(r["as_expected"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
