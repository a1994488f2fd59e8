#!/usr/bin/env python3
"""Data path, byte-exact (issue 7, items 1, 2, 4, 5, 6): a local client and
a loopback server exchange binary data through cellsockd and the simulator.
All 256 byte values, sizes from 1 byte to 1 MiB in random chunks, a unix and
a tcp endpoint, a second client refused, `cellsockctl send` with binary data
from standard input, and counters that add up."""

import os
import random
import signal
import socket
import subprocess
import sys
import time
import traceback

import dialects
from cellsock_harness import CELLSOCKCTL, CELLSOCKD, Checker, skip, wait_until
from modemsim import sim_binary
from relay_util import (RelayRig, Server, connect_local, fast_random, recv_exact,
                        send_chunked)

BIG = int(os.environ.get("RELAY_BIG", str(1024 * 1024)))
t = Checker("relay-roundtrip")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    dialects.run_per_dialect()
    for exe in (CELLSOCKD, CELLSOCKCTL, sim_binary()):
        if not os.access(exe, os.X_OK):
            skip("not built: %s" % exe)
    signal.alarm(240)
    rng = random.Random(7)
    echo = Server("echo")
    sink = Server("record")
    tcp_local = "tcp:127.0.0.1:%d" % free_port()
    links = [dict(name="echo", port=echo.port, socket=1, local="unix:"),
             dict(name="sink", port=sink.port, socket=2, local=tcp_local)]
    try:
        with RelayRig(links) as r:
            run(r, links, echo, sink, rng)
    except Exception:
        t.check(False, "raised:\n" + traceback.format_exc())
    finally:
        echo.close()
        sink.close()
    return t.finish()


def run(r, links, echo, sink, rng):
    r.wait_link("echo", "up")
    r.wait_link("sink", "up")
    c = connect_local(links[0]["local"])
    c.settimeout(30)

    # every byte value, sizes across the chunk limits, random chunking
    sizes = [1, 2, 255, 256, 257, 1023, 1024, 1025, 1499, 1500, 1501, 4096, 65536, 200003]
    bad = []
    for n in sizes:
        data = fast_random(n, n)
        send_chunked(c, data, rng)
        got = recv_exact(c, n, timeout=60)
        if got != data:
            bad.append(n)
    t.check(not bad, "echo round trips byte-exact for sizes %s (bad: %s)" % (sizes, bad))

    # a second client is refused with a message; the first keeps working
    c2 = connect_local(links[0]["local"])
    c2.settimeout(10)
    msg = b""
    while not msg.endswith(b"\n"):
        chunk = c2.recv(200)
        if not chunk:
            break
        msg += chunk
    t.check(msg == b"cellsockd: link echo already has a client\n",
            "a second client gets one line and is closed (%r)" % msg)
    c2.close()
    c.sendall(b"still here")
    t.check(recv_exact(c, 10) == b"still here", "the first client still works")

    # 1 MiB each way at once on the tcp endpoint: client -> server and
    # server -> client, random chunks
    s = connect_local(links[1]["local"])
    wait_until(lambda: sink.count() >= 1, what="the sink connection")
    up = fast_random(11, BIG)
    down = fast_random(12, BIG)
    t0 = time.monotonic()
    import threading
    th = threading.Thread(target=lambda: sink.send(0, down), daemon=True)
    th.start()
    send_chunked(s, up, rng, max_chunk=50000)
    got = recv_exact(s, BIG, timeout=200)
    wait_until(lambda: sink.length(0) >= BIG, timeout=200, what="the upload")
    took = time.monotonic() - t0
    t.check(got == down, "%d bytes server -> client byte-exact (tcp endpoint)" % BIG)
    t.check(sink.received(0) == up, "%d bytes client -> server byte-exact (%.1f s both)"
            % (BIG, took))

    # cellsockctl send with every byte value, from standard input
    blob = bytes(range(256)) * 9
    before = len(sink.received(0))
    p = subprocess.run([CELLSOCKCTL, "-s", r.daemon.sock, "send", "sink", "-"], input=blob,
                       capture_output=True, timeout=30)
    t.check(p.returncode == 0, "cellsockctl send sink - exits 0 (%s)" % p.stderr.decode())
    wait_until(lambda: sink.length(0) >= before + len(blob), timeout=30,
               what="the operator's bytes")
    t.check(sink.received(0)[before:] == blob, "cellsockctl send: %d bytes, every value, "
            "arrive exactly" % len(blob))
    rc, out, err = r.ctl("send", "sink", "A B%25C")
    wait_until(lambda: sink.received(0).endswith(b"A B%C"), timeout=10, what="words")
    t.check(rc == 0, "cellsockctl send sink 'A B%25C' (blanks encoded, %25 is a literal %)")

    # the account adds up
    def settled():
        a = r.relay("sink")
        return a["acked"] == a["sent"] and a
    acct = wait_until(settled, timeout=10, what="every byte acknowledged")
    t.check(acct["accepted"] == acct["sent"] == BIG + len(blob) + 5,
            "sink: accepted = sent = acknowledged = %d (%s)" % (BIG + len(blob) + 5, acct))
    t.check(acct["received"] == acct["delivered"] == BIG and acct["rx_queued"] == 0,
            "sink: received = delivered = %d" % BIG)
    e = r.relay("echo")
    t.check(e["refused"] == 1 and e["clients"] == 1 and e["received"] == e["delivered"] ==
            e["accepted"], "echo: one client, one refused, everything echoed (%s)" % e)
    t.check(not r.monitor.find("data-loss"), "no data-loss event")
    c.close()
    s.close()


if __name__ == "__main__":
    sys.exit(main())
