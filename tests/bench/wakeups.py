#!/usr/bin/env python3
"""Benchmark: event-loop wake-ups of cellsockd on an idle, healthy link,
counted with strace (epoll_wait returns) over a window and scaled to an
hour, next to the number of probes the configuration implies. Not a test.
The last line, "summary: ...", is for scripts/bench_summary.py.

usage: wakeups.py [SECONDS] [IDLE]   (default 120 s, idle 30 s)"""

import os
import re
import shutil
import subprocess
import sys
import threading
import time

from cellsock_harness import wait_until
from supervisor_rig import Rig

SECONDS = 120.0
IDLE = 30.0


EPOLL_RE = re.compile(r"epoll_wait\(\d+, .*, \d+, (-?\d+)\)\s+= (\d+)")


def classify(text):
    """Count the traced syscalls and sort the epoll_wait returns into woken
    by events, woken by a timer, and polls that never slept (timeout 0)."""
    events = timers = polls = calls = 0
    for line in text.splitlines():
        if "+++" in line or "---" in line or "resumed>" in line:
            continue
        calls += 1
        m = EPOLL_RE.search(line)
        if not m:
            continue
        if int(m.group(2)) > 0:
            events += 1
        elif int(m.group(1)) == 0:
            polls += 1
        else:
            timers += 1
    return calls, events, timers, polls


def echo(conn):
    try:
        while True:
            d = conn.sock.recv(100)
            if not d:
                return
            conn.sock.sendall(d)
    except OSError:
        return


def main():
    global SECONDS, IDLE
    if len(sys.argv) > 1:
        SECONDS = float(sys.argv[1])
    if len(sys.argv) > 2:
        IDLE = float(sys.argv[2])
    if shutil.which("strace") is None:
        print("strace not installed")
        return 0
    ka = 'idle = %.1f; timeout = 5.0; reply = "any";' % IDLE
    with Rig(keepalive=ka) as r:
        conn = r.server.accept(timeout=20)
        r.wait_link("up")
        threading.Thread(target=echo, args=(conn,), daemon=True).start()
        wait_until(lambda: "connect check passed" in r.daemon.logtext(), timeout=20,
                   what="the connect check to settle before counting")
        r.ctl("log-level", "info")      # the rig logs debug; a gateway logs info
        # start half a period after a probe: a window of whole periods then
        # holds exactly one probe per period
        before = r.link()["probes_sent"]
        wait_until(lambda: r.link()["probes_sent"] > before, timeout=IDLE * 2 + 30,
                   interval=0.2, what="a probe")
        time.sleep(IDLE / 2)
        pid = r.daemon.proc.pid
        out = os.path.join(r.daemon.dir, "strace.txt")
        probes0 = r.link()["probes_sent"]
        p = subprocess.Popen(["strace", "-f", "-o", out, "-p", str(pid)],
                             stderr=subprocess.DEVNULL)
        time.sleep(SECONDS)
        p.terminate()
        p.wait()
        probes = r.link()["probes_sent"] - probes0
        with open(out) as f:
            calls, events, timers, polls = classify(f.read())
        scale = 3600.0 / SECONDS
        print("Idle link, idle = %.0f s, %.0f s traced (strace -f on cellsockd, log level "
              "info, no systemd watchdog)\n" % (IDLE, SECONDS))
        print("| measure | in window | per idle hour |")
        print("|---|---|---|")
        print("| probes sent | %d | %.0f |" % (probes, probes * scale))
        print("| epoll_wait woken by events | %d | %.0f |" % (events, events * scale))
        print("| epoll_wait woken by a timer | %d | %.0f |" % (timers, timers * scale))
        print("| epoll_wait polls (timeout 0, no sleep) | %d | %.0f |" % (polls, polls * scale))
        print("| syscalls (all) | %d | %.0f |" % (calls, calls * scale))
        print("| wake-ups per probe | %.1f | |" % ((events + timers) / max(probes, 1)))
        print("| syscalls per probe | %.1f | |" % (calls / max(probes, 1)))
        print("summary: idle_s=%.0f probes_per_hour=%.0f wakeups_per_hour=%.0f "
              "syscalls_per_hour=%.0f" % (IDLE, probes * scale, (events + timers) * scale,
                                          calls * scale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
