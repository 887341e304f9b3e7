#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Peak anonymous memory of a command (bench/compare.sh, issue 11's "≤ 64 MiB above the page
cache"): runs COMMAND with its stdout to /dev/null (or to FILE), samples RssAnon in /proc/PID/status every
10 ms, and prints one line: `peak RssAnon N KiB, max RSS M KiB, exit E: COMMAND`.

Mapped file pages count in RSS (RssFile, or RssShmem for a file in tmpfs such as /dev/shm)
but not in RssAnon, which is the process's own heap and stacks: the part that must stay
bounded whatever the input size. Max RSS (all of it, file pages included) comes from
wait4's ru_maxrss, as GNU time's %M. A peak shorter than 10 ms can be missed.

Usage: peak_anon.py [--stdout FILE] COMMAND [ARG...]
"""
import os
import subprocess
import sys
import time


def rss_anon_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def main():
    cmd = sys.argv[1:]
    out = subprocess.DEVNULL
    if cmd[:1] == ["--stdout"] and len(cmd) > 1:
        out = open(cmd[1], "wb")
        cmd = cmd[2:]
    if not cmd:
        sys.exit("usage: peak_anon.py [--stdout FILE] COMMAND [ARG...]")
    proc = subprocess.Popen(cmd, stdout=out)
    peak = 0
    while True:
        peak = max(peak, rss_anon_kib(proc.pid))
        # WNOHANG, so that the last sample is taken before the process is reaped.
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.01)
    code = os.waitstatus_to_exitcode(status)
    print(f"peak RssAnon {peak} KiB, max RSS {usage.ru_maxrss} KiB, exit {code}: "
          f"{' '.join(cmd)}")


if __name__ == "__main__":
    main()
