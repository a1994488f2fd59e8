#!/usr/bin/env python3
"""Benchmark: recovery time from each cause (server FIN, server RST, PDP drop,
modem reboot) to the first byte delivered on the new connection (the connect
probe reaching the server), through the simulator paced at 115200 baud.
The configured waits (backoff minimum, quiet time, the simulated module's
reboot time) are reported beside the total, so the daemon's own time is
total - waits. Not a test: it prints numbers.

The last line, "summary: ..." (p50/p95 per cause), is for
scripts/bench_summary.py; with --svg and gnuplot installed it also plots every
run's time per cause.

usage: recovery.py [RUNS] [--svg FILE]   (default 20 runs per cause)"""

import argparse
import os
import shutil
import socket
import subprocess
import tempfile
import statistics
import struct
import sys
import time

from cellsock_harness import wait_until
from supervisor_rig import Rig

RUNS = 20
BACKOFF_MIN = 0.5
QUIET = 0.5
REBOOT_MS = 1000

KEEPALIVE = ""
LINK = ""


def pct(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def wait_stable(r, connects):
    wait_until(lambda: r.link()["state"] == "up" and r.link()["connects"] == connects,
               timeout=30, what="link up #%d" % connects)
    wait_until(lambda: r.daemon.logtext().count("backoff reset") >= connects, timeout=10,
               what="stable period #%d" % connects)


def one_run(r, cause, conn):
    t0 = time.monotonic()
    if cause == "server FIN":
        conn.sock.close()
    elif cause == "server RST":
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.sock.close()
    elif cause == "PDP drop":
        r.sim.control("pdp-drop")
    elif cause == "modem reboot":
        r.sim.control("reboot %d" % REBOOT_MS)
    new = r.server.accept(timeout=60)
    first = new.recv_exact(1, timeout=30)
    assert first == b"\xff"
    return time.monotonic() - t0, new


def slug(cause):
    return {"server FIN": "fin", "server RST": "rst", "PDP drop": "pdp",
            "modem reboot": "reboot"}[cause]


def plot(rows, svg):
    """Every run's recovery time per cause (points) and the p50 (a bar)."""
    if shutil.which("gnuplot") is None:
        print("# gnuplot not installed: no plot")
        return
    tmp = tempfile.mkdtemp(prefix="cellsock-recovery-")
    try:
        data = os.path.join(tmp, "runs")
        med = os.path.join(tmp, "p50")
        with open(data, "w") as f, open(med, "w") as g:
            for i, (cause, waits, times) in enumerate(rows):
                for j, t in enumerate(times):
                    f.write("%f %f\n" % (i + (j - len(times) / 2.0) * 0.3 / len(times), t))
                g.write('%d %f %f "%s"\n' % (i, statistics.median(times), waits, cause))
        script = """set terminal svg size 720,400
set output '%s'
set style fill solid 0.35
set boxwidth 0.5
set yrange [0:*]
set offsets 0, 0, graph 0.15, 0
set xrange [-0.6:%f]
set ylabel 'seconds to the first byte on the new connection'
set title 'Recovery time by cause (%d runs each, 115200 baud)'
set key top left
plot '%s' using 1:2:xtic(4) with boxes title 'p50', \\
     '' using 1:3 with points pt 6 ps 1.5 title 'configured waits', \\
     '%s' using 1:2 with points pt 7 ps 0.5 title 'each run'
""" % (svg, len(rows) - 0.4, RUNS, med, data)
        subprocess.run(["gnuplot"], input=script.encode(), check=True, timeout=30)
        print("# plot: %s" % svg)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    global RUNS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", type=int, nargs="?", default=RUNS, help="runs per cause")
    ap.add_argument("--svg", help="plot the runs here (needs gnuplot)")
    args = ap.parse_args()
    RUNS, svg = args.runs, args.svg
    # the backoff and the quiet time both start at the verified close and
    # run side by side: the wait is the longer of the two
    causes = [("server FIN", max(BACKOFF_MIN, QUIET)), ("server RST", max(BACKOFF_MIN, QUIET)),
              ("PDP drop", 0.0), ("modem reboot", REBOOT_MS / 1000.0)]
    rows = []
    recovery = ("pdp_cycle_after = 50; radio_cycle_after = 60; modem_reboot_after = 70; cooldown = 1.0;")
    with Rig(sim_args=["--baud", "115200"], recovery=recovery,
             keepalive=KEEPALIVE) as r:
        # faster than the rig's defaults: stable 0.3 s so every run starts from reconnect.min
        r.daemon.write_config(open(r.daemon.conf).read()
                              .replace("min = 0.2;", "min = %.1f;" % BACKOFF_MIN)
                              .replace("quiet_time = 0.2;", "quiet_time = %.1f;" % QUIET)
                              .replace("stable = 3.0;", "stable = 0.3;"))
        r.ctl("reload")
        conn = r.server.accept(timeout=30)
        conn.recv_exact(1)
        connects = 1
        wait_stable(r, connects)
        for cause, waits in causes:
            times = []
            for i in range(RUNS):
                took, conn = one_run(r, cause, conn)
                connects += 1
                times.append(took)
                wait_stable(r, connects)
            rows.append((cause, waits, times))
    print("Recovery to the first byte on the new connection (%d runs each, 115200 baud)" % RUNS)
    print("%-14s %8s %8s %8s %12s %14s" % ("cause", "p50 s", "p95 s", "max s", "waits s", "daemon p50 s"))
    for cause, waits, times in rows:
        p50 = statistics.median(times)
        print("%-14s %8.2f %8.2f %8.2f %12.2f %14.2f" % (cause, p50, pct(times, 95), max(times),
                                                        waits, p50 - waits))
    print("waits: the longer of backoff minimum %.1f s and quiet time %.1f s, both from the "
          "verified close; the PDP drop needs no close; a reboot includes the module's %.1f s boot." %
          (BACKOFF_MIN, QUIET, REBOOT_MS / 1000.0))
    print("summary: " + " ".join("%s_p50=%.2f %s_p95=%.2f %s_waits=%.2f" %
                                 (slug(c), statistics.median(t), slug(c), pct(t, 95), slug(c), w)
                                 for c, w, t in rows))
    if svg:
        plot(rows, svg)


if __name__ == "__main__":
    sys.exit(main())
