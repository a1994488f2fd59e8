#!/usr/bin/env python3
"""Benchmark (not a test): the per-command overhead of the AT engine.

Runs cellsock-modemsim unpaced (--baud 0) and tests/at/at_drive -B N on its
port: first N "AT" round trips written and read directly (the baseline: the
simulator and the pty), then N through the engine with no gap between
commands. Prints both latency distributions, the overhead the engine adds
(median and p99 differences) and the CPU time at_drive used per command.

    top_builddir=BUILD PYTHONPATH=tests/lib python3 tests/at/bench_at.py [N]
"""

import os
import re
import subprocess
import sys

from modemsim import ModemSim, sim_binary, skip

TOP_BUILDDIR = os.environ.get("top_builddir", ".")
DRIVE = os.path.join(TOP_BUILDDIR, "tests/at/at_drive")
FIELD_RE = re.compile(r"(\w+)=([0-9.]+)")


def fields(line):
    return {k: float(v) for k, v in FIELD_RE.findall(line)}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    if not os.access(sim_binary(), os.X_OK) or not os.access(DRIVE, os.X_OK):
        skip("build cellsock-modemsim and tests/at/at_drive first "
             "(make check or make tests/at/at_drive)")
    with ModemSim(args=["--baud", "0"], trace=False) as sim:
        out = subprocess.run([DRIVE, "-B", str(n), "-g", "0", sim.link],
                             capture_output=True, text=True,
                             timeout=300)
    if out.returncode != 0:
        print(out.stdout + out.stderr)
        return 1
    res = {}
    for line in out.stdout.splitlines():
        print(line)
        key = line.split(" ")[0]
        res.setdefault(key, {}).update(fields(line))
    raw, eng = res["raw"], res["engine"]
    print("overhead median_us=%.1f p99_us=%.1f cpu_us_per_command=%.2f "
          "(%d AT round trips, simulator unpaced)" %
          (eng["median_us"] - raw["median_us"], eng["p99_us"] - raw["p99_us"],
           eng["cpu_us_per_command"], n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
