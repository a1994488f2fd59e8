#!/usr/bin/env python3
"""Data path backpressure (issue 7, items 1, 2, 5): a client that does not
read and a server that reads slowly stall the bytes at bounded queues
(rx_buffer, tx_buffer) instead of growing the daemon's memory or dropping
anything; a stalled client does not block another link; when the slow side
catches up every byte arrives in order."""

import os
import random
import signal
import socket
import sys
import threading
import time
import traceback

import dialects
from cellsock_harness import CELLSOCKCTL, CELLSOCKD, Checker, skip, wait_until
from modemsim import sim_binary
from soak_lib import is_sanitized
from relay_util import (RelayRig, Server, connect_local, fast_random, recv_exact, vm_kib)

# Bounded memory: 8 MiB of growth. AddressSanitizer keeps freed memory in
# its quarantine, so a sanitized daemon's RSS follows the bytes it moved,
# not what it holds; there the bound only catches a runaway.
RSS_LIMIT = 65536 if is_sanitized(CELLSOCKD) else 8192

t = Checker("relay-backpressure")
RX = 8192
TX = 8192


def main():
    dialects.run_per_dialect()
    for exe in (CELLSOCKD, CELLSOCKCTL, sim_binary()):
        if not os.access(exe, os.X_OK):
            skip("not built: %s" % exe)
    signal.alarm(150)
    talker = Server("hold")            # sends a stream to a client that does not read
    slow = Server("hold", rcvbuf=4096)     # reads nothing until the test does
    echo = Server("echo")
    links = [dict(name="down", port=talker.port, socket=1, local="unix:", rx=RX),
             dict(name="up", port=slow.port, socket=2, local="unix:", tx=TX),
             dict(name="other", port=echo.port, socket=3, local="unix:")]
    try:
        with RelayRig(links, sim_args=["--tx-buffer", "8192"]) as r:
            slow_client(r, links, talker)
            slow_server(r, links, slow)
            other_link(r, links)
    except Exception:
        t.check(False, "raised:\n" + traceback.format_exc())
    finally:
        talker.close()
        slow.close()
        echo.close()
    return t.finish()


def slow_client(r, links, talker):
    for name in ("down", "up", "other"):
        r.wait_link(name, "up")
    pid = r.daemon.proc.pid
    base = vm_kib(pid)
    c = connect_local(links[0]["local"])
    c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    wait_until(lambda: talker.count() >= 1, what="the server connection")
    stream = fast_random(21, 8 * 1024 * 1024)
    sent = [0]

    def push():
        # the server writes as long as TCP lets it
        conn = talker.live[0]
        conn.settimeout(60)
        try:
            for i in range(0, len(stream), 16384):
                conn.sendall(stream[i:i + 16384])
                sent[0] = i + 16384
        except OSError:
            pass
    threading.Thread(target=push, daemon=True).start()

    # the pipe fills: the daemon's queue toward the client stops at rx_buffer
    def stalled():
        a = r.relay("down")
        return a["rx_queued"] >= RX // 2 and a
    a = wait_until(stalled, timeout=30, what="the queue toward the client to fill")
    time.sleep(0.5)   # not a synchronisation: let a runaway queue show itself
    a1 = r.relay("down")
    a2 = wait_until(lambda: r.relay("down"), timeout=5)
    t.check(a1["rx_queued"] <= RX and a2["rx_queued"] <= RX,
            "a client that does not read: queued toward it %d, %d <= rx_buffer %d"
            % (a1["rx_queued"], a2["rx_queued"], RX))
    t.check(a2["received"] - a1["received"] <= 1500,
            "reading from the module paused (received %d then %d)"
            % (a1["received"], a2["received"]))
    t.check(sent[0] < len(stream), "the server is held back by TCP (%d of %d sent)"
            % (sent[0], len(stream)))
    # the client catches up: a prefix of the stream, in order, nothing lost
    n = 300000
    got = recv_exact(c, n, timeout=60)
    t.check(got == stream[:n], "after the stall the client reads %d bytes in order" % n)
    grow = vm_kib(pid, "VmHWM") - base
    t.check(grow < RSS_LIMIT, "daemon peak RSS grew by %d KiB (< %d KiB) while the server "
            "pushed %d bytes" % (grow, RSS_LIMIT, sent[0]))
    a = r.relay("down")
    t.check(a["received"] - a["delivered"] == a["rx_queued"],
            "received - delivered = queued (%s)" % a)
    c.close()


def slow_server(r, links, slow):
    pid = r.daemon.proc.pid
    base = vm_kib(pid)
    c = connect_local(links[1]["local"])
    c.setblocking(False)
    wait_until(lambda: slow.count() >= 1, what="the slow server's connection")
    # the server does not read: the client writes for a while and is held
    # back (EAGAIN) by the daemon, which reads only as fast as the module
    # takes bytes
    stream = fast_random(22, 4 * 1024 * 1024)
    written = blocked = 0
    most = 0
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        try:
            written += c.send(stream[written:written + 65536])
        except BlockingIOError:
            blocked += 1
            if blocked % 10 == 0:
                most = max(most, r.relay("up")["tx_queued"])
            time.sleep(0.02)
    t.check(blocked > 0, "a server that does not read holds the client back (EAGAIN %d "
            "times, %d bytes written in 8 s)" % (blocked, written))
    t.check(most <= TX, "queued toward the server at most %d <= tx_buffer %d" % (most, TX))
    a = r.relay("up")
    t.check(a["tx_queued"] <= TX, "queued toward the server %d <= tx_buffer %d"
            % (a["tx_queued"], TX))
    grow = vm_kib(pid, "VmHWM") - base
    t.check(grow < RSS_LIMIT, "daemon peak RSS grew by %d KiB (< %d KiB)" % (grow, RSS_LIMIT))
    # now the server reads everything: all bytes, in order
    conn = slow.live[0]
    out = bytearray(slow.received(0))
    conn.settimeout(1.0)
    c.setblocking(True)
    deadline = time.monotonic() + 60
    while len(out) < written and time.monotonic() < deadline:
        try:
            chunk = conn.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        out += chunk
    t.check(bytes(out) == stream[:written], "the slow server gets all %d bytes in order "
            "(%d)" % (written, len(out)))
    c.close()


def other_link(r, links):
    c = connect_local(links[2]["local"])
    c.sendall(b"ping")
    t.check(recv_exact(c, 4, timeout=10) == b"ping",
            "another link works while these were stalled")
    c.close()
    losses = r.monitor.find("data-loss")
    t.check(all(e.get("name") == "down" for e in losses),
            "data-loss only where a client left unread data behind (%s)" % losses)


if __name__ == "__main__":
    sys.exit(main())
