#!/usr/bin/env python3
"""`mlstack plan`'s own overhead beside its resolver runs (issue 9: <= 10 % of the resolver's
wall time): runs `mlstack plan SPEC --json` with the given resolver options and subtracts the
resolver's wall time per variant (`resolution.variants[].wall_s`, failed runs included) from
the whole process's.

    bench/plan_overhead.py MLSTACK SPEC [RUNS] -- [plan options: --no-index --find-links DIR]
"""
import json
import subprocess
import sys
import time


def main() -> int:
    args = sys.argv[1:]
    extra = args[args.index("--") + 1:] if "--" in args else []
    args = args[:args.index("--")] if "--" in args else args
    binary, spec = args[0], args[1]
    runs = int(args[2]) if len(args) > 2 else 3
    for _ in range(runs):
        start = time.perf_counter()
        run = subprocess.run([binary, "plan", spec, "--json", *extra], capture_output=True, text=True)
        wall = time.perf_counter() - start
        doc = json.loads(run.stdout)
        resolver = sum(v["wall_s"] for v in doc["resolution"]["variants"])
        print(f"{spec}: exit {run.returncode}, {len(doc['resolution']['variants'])} variants, "
              f"whole {wall:.2f} s, resolver {resolver:.2f} s, plan's own {1000 * (wall - resolver):.0f} ms "
              f"= {100 * (wall - resolver) / wall:.1f} % of the whole")
    return 0


if __name__ == "__main__":
    sys.exit(main())
