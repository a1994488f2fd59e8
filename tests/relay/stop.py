#!/usr/bin/env python3
"""A clean stop and a reload that removes a link (issue 16, item 2): with
bytes queued toward a server that never reads, SIGTERM (a) and a reload
that renames the link (b) first let the link drain (stop_timeout, 5 s by
default), then report every byte not delivered (a data-loss event with
why=stop or why=removed, and the log), then close the modem socket with a
verified teardown so that the server sees EOF; all within stop_timeout +
reconnect.teardown_timeout (+ 1 s); a second signal during the drain
stops at once and still logs the loss (c); a module that stops answering
does not make the stop longer (d). The numbers add up with the ledger's
identities: accepted = acknowledged + reported lost, and the server reads
at least every acknowledged byte, at most those and the unacknowledged ones,
a prefix of what the client wrote."""

import os
import re
import signal
import socket
import sys
import time
import traceback

import dialects
from cellsock_harness import CELLSOCKCTL, CELLSOCKD, Checker, skip, wait_until
from modemsim import sim_binary
from relay_util import RelayRig, Server, connect_local, fast_random

t = Checker("relay-stop")
STOP_TIMEOUT = 5.0      # the default
TEARDOWN = 5.0          # relay_config's reconnect.teardown_timeout
BOUND = STOP_TIMEOUT + TEARDOWN + 1.0
SLACK = 3.0             # a loaded machine


def fill(r, name, local):
    """A client writes to link name until the daemon holds bytes both
    queued and sent but unacknowledged. Returns (socket, bytes written,
    the stream)."""
    stream = fast_random(16, 4 * 1024 * 1024)
    c = connect_local(local)
    c.setblocking(False)
    written = 0
    seen = {"acked": -1, "since": time.monotonic()}

    def stuck():
        # the server's window is closed: acknowledgements stop for a second
        # while the queue is full and sent bytes wait for their ACK
        nonlocal written
        try:
            while True:
                written += c.send(stream[written:written + 16384])
        except BlockingIOError:
            pass
        a = r.relay(name)
        now = time.monotonic()
        if a["acked"] != seen["acked"]:
            seen.update(acked=a["acked"], since=now)
        return (a["tx_queued"] >= 49152 and a["sent"] > a["acked"] and
                now - seen["since"] >= 1.0) and a
    a = wait_until(stuck, timeout=60, interval=0.2,
                   what="bytes queued and unacknowledged on %s" % name)
    return c, written, stream, a


def read_to_eof(conn, deadline):
    """What the server reads until EOF; (bytes, saw EOF, when)."""
    out = bytearray()
    conn.setblocking(True)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return bytes(out), False, None
        conn.settimeout(min(left, 0.5))
        try:
            chunk = conn.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            return bytes(out), True, time.monotonic()
        if not chunk:
            return bytes(out), True, time.monotonic()
        out += chunk


def parse_loss(log, name, why):
    """The data-loss warning and the closing summary for link name."""
    warn = re.findall(r"link %s: data at risk \(([a-z-]+), %s\): (\d+) unsent, (\d+) "
                      r"unacknowledged, (\d+) unread in the module, (\d+) undelivered; "
                      r"(\d+) lost" % (name, why), log)
    summ = re.findall(r"link %s: %s: (\d+) bytes accepted from the local client, (\d+) "
                      r"acknowledged by the server, (\d+) reported lost" % (name, why), log)
    return warn, summ


def check_account(what, log, ev, name, why, before, got, stream, written):
    warn, summ = parse_loss(log, name, why)
    t.check(len(warn) == 1, "%s: one data-loss line with why %s in the log (%s)"
            % (what, why, warn))
    t.check(ev is not None, "%s: a data-loss event with why=%s" % (what, why))
    t.check(len(summ) == 1, "%s: the closing account in the log (%s)" % (what, summ))
    if not warn or ev is None or not summ:
        return
    unsent, unacked = int(ev["unsent"]), int(ev["unacked"])
    t.check(int(ev["bytes"]) == int(ev["lost"]) == unsent + unacked + int(ev["unread"]) +
            int(ev["undelivered"]), "%s: the event's bytes add up, all lost: %s" % (what, ev))
    t.check((int(warn[0][1]), int(warn[0][2])) == (unsent, unacked),
            "%s: the log line says the same (%s)" % (what, warn[0]))
    accepted, acked, lost = (int(x) for x in summ[0])
    t.check(accepted >= before["accepted"] and accepted <= written,
            "%s: accepted %d (>= %d before the stop, <= %d written)"
            % (what, accepted, before["accepted"], written))
    t.check(accepted == acked + lost and lost == unsent + unacked,
            "%s: accepted %d = acknowledged %d + lost %d (unsent %d + unacknowledged %d)"
            % (what, accepted, acked, lost, unsent, unacked))
    t.check(lost > 0, "%s: bytes were at risk when the link ended (unsent %d, unacked %d)"
            % (what, unsent, unacked))
    t.check(acked <= len(got) <= acked + unacked,
            "%s: the server read %d bytes: at least the %d acknowledged, at most those and "
            "the %d unacknowledged" % (what, len(got), acked, unacked))
    t.check(got == stream[:len(got)], "%s: what the server read is a prefix of the stream"
            % what)


def sigterm_case(server):
    links = [dict(name="a", port=server.port, socket=1, local="unix:")]
    with RelayRig(links, sim_args=["--tx-buffer", "8192"]) as r:
        r.wait_link("a", "up")
        c, written, stream, before = fill(r, "a", links[0]["local"])
        wait_until(lambda: server.count() >= 1, what="the server connection")
        t0 = time.monotonic()
        r.daemon.signal(signal.SIGTERM)
        # the server does not read while the daemon drains; once the loss is
        # reported it reads, so that the close (#SH: the FIN behind the
        # data) can be verified
        evs = wait_until(lambda: r.events("data-loss", why="stop"), timeout=BOUND + SLACK,
                         what="the data-loss event of the stop")
        got, eof, t_eof = read_to_eof(server.live[0], t0 + BOUND + SLACK)
        t.check(eof, "SIGTERM: the server saw EOF (%d bytes read)" % len(got))
        try:
            r.daemon.proc.wait(timeout=BOUND + SLACK)
        except Exception:
            pass
        rc = r.daemon.proc.poll()
        t.check(rc == 0, "SIGTERM: the daemon exited (status %s) within %.1f s (bound %.1f s)"
                % (rc, time.monotonic() - t0, BOUND))
        log = r.daemon.logtext()
        t.check("stopping" in log, "SIGTERM: the log says stopping")
        check_account("SIGTERM", log, evs[0] if evs else None, "a", "stop", before, got,
                      stream, written)
        t.check("socket 1 verified closed" in log, "SIGTERM: the socket's close was verified")
        c.close()


def stop_now_case(server):
    """A second signal during the drain: the daemon exits at once and still
    logs what was not delivered."""
    links = [dict(name="a", port=server.port, socket=1, local="unix:")]
    with RelayRig(links, sim_args=["--tx-buffer", "8192"]) as r:
        r.wait_link("a", "up")
        c, written, stream, before = fill(r, "a", links[0]["local"])
        r.daemon.signal(signal.SIGTERM)
        wait_until(lambda: "link a: stop: sending" in r.daemon.logtext(), timeout=5,
                   what="the drain to begin")
        t0 = time.monotonic()
        r.daemon.signal(signal.SIGINT)
        try:
            r.daemon.proc.wait(timeout=2.0 + SLACK)
        except Exception:
            pass
        rc = r.daemon.proc.poll()
        t.check(rc == 0, "stop now: the daemon exited (status %s) %.1f s after SIGINT"
                % (rc, time.monotonic() - t0))
        log = r.daemon.logtext()
        warn, summ = parse_loss(log, "a", "stop")
        t.check(len(warn) == 1 and warn[0][0] == "operator" and len(summ) == 1 and
                int(summ[0][0]) == int(summ[0][1]) + int(summ[0][2]) and int(summ[0][2]) > 0,
                "stop now: the loss is still logged and adds up (%s, %s)" % (warn, summ))
        c.close()


def hung_modem_case(server):
    """The module stops answering just before SIGTERM: the drain cannot
    progress and the close cannot be verified, and still the daemon is
    gone within stop_timeout + teardown_timeout (+ 1 s), having logged the
    loss."""
    links = [dict(name="a", port=server.port, socket=1, local="unix:")]
    with RelayRig(links, sim_args=["--tx-buffer", "8192"]) as r:
        r.wait_link("a", "up")
        c, written, stream, before = fill(r, "a", links[0]["local"])
        r.sim.control("hang")
        t0 = time.monotonic()
        r.daemon.signal(signal.SIGTERM)
        try:
            r.daemon.proc.wait(timeout=BOUND + SLACK)
        except Exception:
            pass
        rc = r.daemon.proc.poll()
        took = time.monotonic() - t0
        t.check(rc == 0 and took <= BOUND + SLACK, "hung modem: the daemon exited (status %s) "
                "%.1f s after SIGTERM (bound %.1f s)" % (rc, took, BOUND))
        log = r.daemon.logtext()
        warn, summ = parse_loss(log, "a", "stop")
        t.check(len(warn) == 1 and len(summ) == 1 and int(summ[0][2]) > 0 and
                int(summ[0][0]) == int(summ[0][1]) + int(summ[0][2]),
                "hung modem: the loss is logged and adds up (%s, %s)" % (warn, summ))
        # Either the close times out, or (probes and polls going ahead of the
        # queued send) the modem is found not answering first: both say the
        # socket was not seen closed.
        t.check("not verified closed" in log or "modem: not answering" in log,
                "hung modem: the log says the close was not verified or the modem not answering")
        r.sim.try_control("unhang")
        c.close()


def rename_case(server):
    links = [dict(name="a", port=server.port, socket=1, local="unix:")]
    with RelayRig(links, sim_args=["--tx-buffer", "8192"]) as r:
        r.wait_link("a", "up")
        c, written, stream, before = fill(r, "a", links[0]["local"])
        wait_until(lambda: server.count() >= 1, what="the server connection")
        conf = open(r.daemon.conf).read()
        r.daemon.write_config(conf.replace('name = "a"', 'name = "b"'))
        mark = r.monitor.mark()
        t0 = time.monotonic()
        rc, out, err = r.ctl("reload")
        t.check(rc == 0, "rename: reload accepted (%s %s)" % (out.strip(), err.strip()))
        # the server does not read while the old link drains and closes:
        # the close is not verified (the FIN waits behind the data), the
        # link goes at reconnect.teardown_timeout
        wait_until(lambda: "link a: removed: done" in r.daemon.logtext(),
                   timeout=BOUND + SLACK, interval=0.1, what="the removed link to be done")
        t.check(time.monotonic() - t0 <= BOUND + SLACK, "rename: the old link was done "
                "%.1f s after the reload (bound %.1f s)" % (time.monotonic() - t0, BOUND))
        got, eof, t_eof = read_to_eof(server.live[0], time.monotonic() + 5.0)
        t.check(eof, "rename: the server saw EOF on the old connection (%d bytes read)"
                % len(got))
        evs = r.events("data-loss", mark, name="a", why="removed")
        ev = evs[0] if evs else None
        log = r.daemon.logtext()
        check_account("rename", log, ev, "a", "removed", before, got, stream, written)
        # the renamed link takes socket 1 once the old one is closed
        r.wait_link("b", "up", timeout=30)
        wait_until(lambda: server.count() >= 2, what="the new link's connection")
        t.check(r.daemon.alive(), "rename: the daemon runs on")
        c.close()


def main():
    dialects.run_per_dialect()
    for exe in (CELLSOCKD, CELLSOCKCTL, sim_binary()):
        if not os.access(exe, os.X_OK):
            skip("not built: %s" % exe)
    signal.alarm(280)
    for case in (sigterm_case, stop_now_case, hung_modem_case, rename_case):
        server = Server("hold", rcvbuf=4096)
        try:
            case(server)
        except Exception:
            t.check(False, "%s raised:\n%s" % (case.__name__, traceback.format_exc()))
        finally:
            server.close()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
