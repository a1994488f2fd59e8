#!/usr/bin/env python3
"""Benchmark (issue 7, item 8), run by hand, not by make check: bulk
throughput client -> server and server -> client through cellsockd and the
simulator paced at 115200 and 921600 baud, as a percentage of the serial line
rate (8N1: baud / 10 bytes per second), the daemon's CPU time per MiB relayed
and its peak RSS.

    top_builddir=BUILD PYTHONPATH=tests/lib python3 tests/relay/bench_throughput.py \
        [--seconds 8] [--baud 115200,921600]
"""

import argparse
import os
import sys
import threading
import time

from cellsock_harness import wait_until
from relay_util import RelayRig, Server, connect_local, fast_random, recv_exact, vm_kib

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def measure(baud, seconds):
    rate = baud / 10.0
    n = int(rate * seconds)
    sink = Server("record")
    talker = Server("hold")
    links = [dict(name="up", port=sink.port, socket=1, local="unix:"),
             dict(name="down", port=talker.port, socket=2, local="unix:")]
    out = {}
    try:
        with RelayRig(links, sim_args=["--baud", str(baud)]) as r:
            r.wait_link("up", "up")
            r.wait_link("down", "up")
            pid = r.daemon.proc.pid
            rss0 = vm_kib(pid)

            # client -> server
            c = connect_local(links[0]["local"])
            c.settimeout(None)
            wait_until(lambda: sink.count() >= 1, what="sink connection")
            data = fast_random(1, n)
            cpu0 = cpu_seconds(pid)
            t0 = time.monotonic()
            threading.Thread(target=c.sendall, args=(data,), daemon=True).start()
            wait_until(lambda: sink.length(0) >= n, timeout=seconds * 4 + 30,
                       interval=0.01, what="upload")
            took = time.monotonic() - t0
            cpu = cpu_seconds(pid) - cpu0
            assert sink.received(0) == data, "upload corrupted"
            out["up"] = (n / took, n / took / rate * 100, cpu / (n / 1048576.0))

            # server -> client
            d = connect_local(links[1]["local"])
            d.settimeout(None)
            wait_until(lambda: talker.count() >= 1, what="talker connection")
            data = fast_random(2, n)
            cpu0 = cpu_seconds(pid)
            t0 = time.monotonic()
            threading.Thread(target=talker.send, args=(0, data), daemon=True).start()
            got = recv_exact(d, n, timeout=seconds * 4 + 30)
            took = time.monotonic() - t0
            cpu = cpu_seconds(pid) - cpu0
            assert got == data, "download corrupted"
            out["down"] = (n / took, n / took / rate * 100, cpu / (n / 1048576.0))
            out["rss"] = (rss0, vm_kib(pid, "VmHWM"))
            c.close()
            d.close()
    finally:
        sink.close()
        talker.close()
    return n, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=8.0,
                    help="transfer size in seconds of line rate (default 8)")
    ap.add_argument("--baud", default="115200,921600")
    a = ap.parse_args()
    print("%-8s %-16s %9s %12s %8s %12s %14s" % ("baud", "direction", "bytes", "bytes/s",
                                                "% line", "CPU s/MiB", "RSS KiB"))
    for baud in [int(b) for b in a.baud.split(",")]:
        n, out = measure(baud, a.seconds)
        for key, name in (("up", "client->server"), ("down", "server->client")):
            bps, pct, cpu = out[key]
            print("%-8d %-16s %9d %12.0f %7.1f%% %12.3f %6d->%-6d" %
                  (baud, name, n, bps, pct, cpu, out["rss"][0], out["rss"][1]))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
