#!/usr/bin/env python3
"""Benchmark: recovery time from each cause (server FIN, server RST, PDP drop,
modem reboot) to the first byte delivered on the new connection (the connect
probe reaching the server), through the simulator paced at 115200 baud.
The configured waits (backoff minimum, quiet time, the simulated module's
reboot time) are reported beside the total, so the daemon's own time is
total - waits. Not a test: it prints numbers.

usage: recovery.py [RUNS]   (default 20 per cause)"""

import socket
import statistics
import struct
import sys
import time

from cellsock_harness import wait_until
from supervisor_rig import Rig

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
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


def main():
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


if __name__ == "__main__":
    sys.exit(main())
