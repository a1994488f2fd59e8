#!/usr/bin/env python3
"""Benchmark: event-loop wake-ups of cellsockd on an idle, healthy link,
counted with strace (epoll_wait returns) over a window and scaled to an
hour, next to the number of probes the configuration implies. Not a test.

usage: wakeups.py [SECONDS] [IDLE]   (default 120 s, idle 30 s)"""

import os
import re
import subprocess
import sys
import time

from supervisor_rig import Rig

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 120.0
IDLE = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0


def main():
    if subprocess.run(["which", "strace"], capture_output=True).returncode != 0:
        print("strace not installed")
        return 0
    ka = 'idle = %.1f; timeout = 5.0; reply = "any";' % IDLE
    with Rig(keepalive=ka) as r:
        conn = r.server.accept(timeout=20)
        r.wait_link("up")
        import threading

        def echo():
            try:
                while True:
                    d = conn.sock.recv(100)
                    if not d:
                        return
                    conn.sock.sendall(d)
            except OSError:
                return
        threading.Thread(target=echo, daemon=True).start()
        from cellsock_harness import wait_until
        wait_until(lambda: "connect check passed" in r.daemon.logtext(), timeout=20,
                   what="the connect check to settle before counting")
        pid = r.daemon.proc.pid
        out = os.path.join(r.daemon.dir, "strace.txt")
        probes0 = r.link()["probes_sent"]
        p = subprocess.Popen(["strace", "-f", "-e", "trace=epoll_wait,read,write", "-o", out,
                              "-p", str(pid)], stderr=subprocess.DEVNULL)
        time.sleep(SECONDS)
        p.terminate()
        p.wait()
        probes = r.link()["probes_sent"] - probes0
        text = open(out).read()
        waits = len(re.findall(r"epoll_wait\(.*\) = [1-9]", text))
        timeouts = len(re.findall(r"epoll_wait\(.*\) = 0", text))
        syscalls = len(text.splitlines())
        scale = 3600.0 / SECONDS
        print("Idle link, idle = %.0f s, %.0f s traced (strace -f on cellsockd)" % (IDLE, SECONDS))
        print("| measure | in window | per idle hour |")
        print("|---|---|---|")
        print("| probes sent | %d | %.0f |" % (probes, probes * scale))
        print("| epoll_wait woken by events | %d | %.0f |" % (waits, waits * scale))
        print("| epoll_wait woken by a timer | %d | %.0f |" % (timeouts, timeouts * scale))
        print("| syscalls (epoll_wait, read, write) | %d | %.0f |" % (syscalls, syscalls * scale))
        print("| wake-ups per probe | %.1f | |" % ((waits + timeouts) / max(probes, 1)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
