#!/usr/bin/env python3
"""Data path sessions (issue 7, items 3, 4, 7): a transparent session ends
with the connection (the client sees EOF after what was received, a new
client starts over with a server that greets each connection), bytes at risk
are reported in data-loss; a persistent session with resend_unacked keeps its
client across a silent drop and a reconnect and the server sees every byte
of a sequence-numbered stream in order, duplicated only where reported; data
whose SRING was lost is read after #SS reports it."""

import os
import signal
import struct
import sys
import threading
import time

import dialects
from cellsock_harness import CELLSOCKCTL, CELLSOCKD, Checker, skip, wait_until
from modemsim import sim_binary
from relay_util import RelayRig, Server, connect_local, recv_exact, wait_eof

t = Checker("relay-sessions")


scenario = t.scenario


@scenario
def transparent_reconnect():
    greeter = Server("echo", greeting=b"HELLO\n")
    links = [dict(name="t", port=greeter.port, socket=1, local="unix:")]
    try:
        with RelayRig(links) as r:
            r.wait_link("t", "up")
            c = connect_local(links[0]["local"])
            t.check(recv_exact(c, 6) == b"HELLO\n", "the server's greeting waits for the client")
            c.sendall(b"abc")
            t.check(recv_exact(c, 3) == b"abc", "echo through the link")

            mark = r.monitor.mark()
            rc, out, err = r.ctl("reconnect", "t")
            rest = wait_eof(c, timeout=15)
            t.check(rest == b"", "reconnect: the client sees EOF (%r before it)" % rest)
            r.wait_event("link-state", since=mark, name="t", state="up", timeout=20)
            wait_until(lambda: greeter.count() >= 2, what="the second server connection")
            c2 = connect_local(links[0]["local"])
            t.check(recv_exact(c2, 6) == b"HELLO\n", "a new client gets the new connection's greeting")
            c2.sendall(b"again")
            t.check(recv_exact(c2, 5) == b"again", "and works")
            t.check(not r.monitor.find("data-loss", since=mark),
                    "nothing was at risk: no data-loss event")

            # a client connected while the link is down waits; its bytes go
            # out when the link is up again, after the greeting it receives
            mark = r.monitor.mark()
            r.ctl("disconnect", "t")
            t.check(wait_eof(c2, timeout=15) == b"", "disconnect closes the client")
            r.wait_link("t", "idle")
            c3 = connect_local(links[0]["local"])
            c3.sendall(b"early")
            wait_until(lambda: r.relay("t")["tx_queued"] == 5, timeout=10,
                       what="the early bytes queued")
            r.ctl("connect", "t")
            t.check(recv_exact(c3, 6 + 5, timeout=20) == b"HELLO\nearly",
                    "a client that connected while the link was down: its bytes go out "
                    "when it is up")

            # bytes in flight when the connection dies are reported
            mark = r.monitor.mark()
            r.sim.control("drop 1")
            c3.sendall(b"x" * 5000)
            wait_until(lambda: r.relay("t")["sent"] >= r.relay("t")["accepted"], timeout=20,
                       what="the bytes handed to the module")
            r.ctl("reconnect", "t")
            ev = r.wait_event("data-loss", since=mark, timeout=20)
            t.check(int(ev["unacked"]) == 5000 and int(ev["lost"]) == 5000 and
                    ev["resend"] in (0, False) and ev["cause"] == "operator",
                    "transparent: data-loss reports 5000 unacknowledged bytes, lost (%s)" % ev)
            t.check(wait_eof(c3, timeout=15) == b"", "and the client sees EOF")
            a = r.relay("t")
            t.check(a["lost_unacked"] == 5000, "status counts them (%s)" % a)
    finally:
        greeter.close()


# a sequence-numbered stream: record i is 8 bytes, seq and seq ^ 0xa5a5a5a5
def records(first, n):
    return b"".join(struct.pack(">II", i, i ^ 0xA5A5A5A5) for i in range(first, first + n))


@scenario
def persistent_resend():
    sink = Server("record")
    links = [dict(name="p", port=sink.port, socket=2, local="unix:", session="persistent",
                  resend=True, keepalive='probe = ""; ack_timeout = 60.0;')]
    total = 40000       # records: 320000 bytes
    stream = records(0, total)
    try:
        with RelayRig(links) as r:
            r.wait_link("p", "up")
            c = connect_local(links[0]["local"])
            stop = threading.Event()
            sent = [0]

            def writer():
                while sent[0] < len(stream) and not stop.is_set():
                    n = min(4096, len(stream) - sent[0])
                    c.sendall(stream[sent[0]:sent[0] + n])
                    sent[0] += n
            th = threading.Thread(target=writer, daemon=True)
            th.start()
            wait_until(lambda: sink.length(0) >= 40000, timeout=30,
                       what="data flowing")
            mark = r.monitor.mark()
            r.sim.control("drop 2")         # silent: the module queues, nothing moves
            wait_until(lambda: r.sim.sockets()[2]["ack_waiting"] not in ("0", 0) and
                       int(r.sim.sockets()[2]["ack_waiting"]) > 3000, timeout=20,
                       what="bytes in flight on the dropped connection")
            r.ctl("reconnect", "p")
            ev = r.wait_event("data-loss", since=mark, timeout=20)
            t.check(ev["resend"] in (1, True) and int(ev["lost"]) == 0 and
                    int(ev["unacked"]) > 0,
                    "persistent: data-loss reports the unacknowledged bytes, resent (%s)" % ev)
            wait_until(lambda: sink.count() >= 2, timeout=20, what="the new connection")
            th.join(timeout=60)
            wait_until(lambda: sink.length(0) + sink.length(1) >=
                       len(stream), timeout=60, what="the whole stream")
            wait_until(lambda: r.relay("p")["tx_queued"] == 0, timeout=10, what="empty queue")
            time.sleep(0.3)   # a grace period: duplicates would arrive late, not sync
            a_bytes = sink.received(0)
            b_bytes = sink.received(1)
            t.check(stream.startswith(a_bytes),
                    "first connection: a prefix of the stream (%d bytes)" % len(a_bytes))
            start = len(stream) - len(b_bytes)
            t.check(start >= 0 and stream[start:] == b_bytes,
                    "second connection: the rest of the stream, in order, from byte %d" % start)
            dup = len(a_bytes) - start
            t.check(0 <= dup <= int(ev["unacked"]),
                    "no gap; duplicates %d <= reported unacked %s" % (dup, ev["unacked"]))
            a = r.relay("p")
            t.check(a["clients"] == 1 and a["client"] == 1,
                    "one client, connected throughout (%s)" % a)
            a = r.relay("p")
            t.check(a["resent"] == int(ev["unacked"]) and a["accepted"] == len(stream),
                    "status: %d accepted, %d resent (%s)" % (len(stream), a["resent"], a))
            c.sendall(b"alive")
            wait_until(lambda: sink.received(1).endswith(b"alive"), timeout=10, what="alive")
            t.check(True, "the same client goes on writing")
            stop.set()
    finally:
        sink.close()


@scenario
def lost_sring():
    talker = Server("hold")
    links = [dict(name="s", port=talker.port, socket=3, local="unix:",
                  keepalive='idle = 1.0; probe = ""; ack_timeout = 30.0;')]
    try:
        with RelayRig(links, sim_args=["--rx-buffer", "65536"]) as r:
            r.wait_link("s", "up")
            c = connect_local(links[0]["local"])
            wait_until(lambda: talker.count() >= 1, what="the server connection")
            talker.send(0, b"one")
            t.check(recv_exact(c, 3, timeout=10) == b"one", "data with SRING arrives")
            # the module stops talking while data arrives: its SRING is lost
            r.sim.control("hang 400")
            talker.send(0, b"two-lost-sring")
            wait_until(lambda: r.sim.sockets()[3]["buff_in"] not in ("0", 0), timeout=5,
                       what="the module to buffer the data")
            t.check(recv_exact(c, 14, timeout=20) == b"two-lost-sring",
                    "data whose SRING was lost is read after #SS says it waits")
    finally:
        talker.close()


def main():
    dialects.run_per_dialect()
    for exe in (CELLSOCKD, CELLSOCKCTL, sim_binary()):
        if not os.access(exe, os.X_OK):
            skip("not built: %s" % exe)
    signal.alarm(200)
    transparent_reconnect()
    persistent_resend()
    lost_sring()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
