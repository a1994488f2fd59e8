#!/usr/bin/env python3
"""Black-box tests of silent-death detection (issue 5/7, first part):
keepalive probes on an idle link and the acknowledgement watch on a busy
one, against the simulator's `drop` (the network silently forgets the
connection while the module still reports it open), plus rst/fin, probe
reply stripping and the "any inbound data" reply mode. Each death must come
within the bound the configuration implies (shown by `cellsockctl links`).
Runs once per dialect (tests/lib/dialects.py). A Quectel module says a
socket closed (+QIURC: "closed") but not whether by FIN or RST, so there an
RST is remote-close too."""

import atexit
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

import dialects
from cellsock_harness import Checker, wait_until
from supervisor_rig import Rig

t = Checker("keepalive")


class ProbeServer:
    """Accepts connections; answers each probe byte 0xFF at the start of a
    segment with 0xFE and echoes the rest (the application's bytes)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            while True:
                data = c.recv(4096)
                if not data:
                    return
                probes = len(data) - len(data.lstrip(b"\xff"))
                c.sendall(b"\xfe" * probes + data[probes:])
        except OSError:
            return

    def close(self):
        self.stop = True
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass
        self.sock.close()


scenario = t.scenario


def private_dir():
    """A temporary directory removed when the test ends."""
    path = tempfile.mkdtemp(prefix="cellsock-ka-")
    atexit.register(shutil.rmtree, path, True)
    return path


def rig_with(server, keepalive, local=None):
    r = Rig(start_daemon=False, keepalive=keepalive,
            extra_link=('local = "unix:%s";' % local) if local else "")
    return r


def start(r, server):
    r.server.close()
    r.server = server
    r.start()


@scenario
def idle_silent_drop():
    srv = ProbeServer()
    with rig_with(srv, 'idle = 1.0; timeout = 1.0; retries = 1; reply = "FE";') as r:
        start(r, srv)
        r.wait_link("up")
        bound = r.link()["dead_within_idle"]
        t.check(bound == 4.0, "links shows the idle bound idle + (retries+1) x timeout + 1 = 4 s (%s)" % bound)
        wait_until(lambda: r.link()["probes_answered"] >= 2, timeout=15, what="two answered probes")
        t.check(r.link()["rtt_last_ms"] >= 0, "probes are answered and their RTT recorded (%s ms)"
                % r.link()["rtt_last_ms"])
        mark = r.monitor.mark()
        t0 = time.monotonic()
        r.sim.control("drop 1")
        ev = r.monitor.wait("link-dead", since=mark, timeout=bound + 5)
        took = time.monotonic() - t0
        t.check(ev["cause"] == "probe-timeout" and took <= bound,
                "idle link, silent drop: dead by probe-timeout in %.1f s (bound %.1f s)" % (took, bound))
        r.wait_link("up", timeout=20)
        before = r.link()["probes_answered"]
        wait_until(lambda: r.link()["probes_answered"] > before, timeout=15, what="probes after reconnect")
        t.check(True, "after the reconnect probes are answered again")
    srv.close()


@scenario
def busy_silent_drop():
    srv = ProbeServer()
    tmp = private_dir()
    path = os.path.join(tmp, "l.sock")
    with rig_with(srv, 'idle = 30.0; timeout = 5.0; reply = "FE";', local=path) as r:
        start(r, srv)
        r.wait_link("up")
        bound = r.link()["dead_within_busy"]
        c = socket.socket(socket.AF_UNIX)
        c.connect(path)
        c.sendall(b"hello")
        c.settimeout(10)
        t.check(c.recv(5) == b"hello", "busy: data flows through the link before the drop")
        mark = r.monitor.mark()
        r.sim.control("drop 1")
        t0 = time.monotonic()
        c.sendall(b"x" * 2000)          # unacknowledged from now on
        ev = r.monitor.wait("link-dead", since=mark, timeout=bound + 5)
        took = time.monotonic() - t0
        t.check(ev["cause"] == "ack-stall" and took <= bound,
                "busy link, silent drop: dead by ack-stall in %.1f s (bound %.1f s)" % (took, bound))
        # the acknowledgement counters: Telit's #SI, Quectel's AT+QISEND=<id>,0
        counters = "AT#SI=1" if dialects.is_telit() else "AT+QISEND=1,0"
        t.check(counters in r.sim.received(),
                "busy: the ack watch reads the module's counters with %s" % counters)
        c.close()
        r.wait_link("up", timeout=20)
        c = socket.socket(socket.AF_UNIX)
        wait_until(lambda: c.connect_ex(path) == 0, timeout=10, what="a new client")
        c.sendall(b"again")
        c.settimeout(10)
        t.check(c.recv(5) == b"again", "busy: after the reconnect data flows again")
        c.close()
    srv.close()


@scenario
def rst_and_fin_at_once():
    srv = ProbeServer()
    with rig_with(srv, 'idle = 30.0; reply = "FE";') as r:
        start(r, srv)
        r.wait_link("up")
        rst = "remote-reset" if dialects.is_telit() else "remote-close"
        for fault, cause in (("rst 1", rst), ("fin 1", "remote-close")):
            mark = r.monitor.mark()
            t0 = time.monotonic()
            r.sim.control(fault)
            ev = r.monitor.wait("link-dead", since=mark, timeout=10)
            took = time.monotonic() - t0
            t.check(ev["cause"] == cause and took < 1.0, "%s: detected at once as %s (%.2f s)" % (fault, cause, took))
            r.wait_link("up", timeout=20)
    srv.close()


@scenario
def reply_stripping_and_any():
    srv = ProbeServer()
    tmp = private_dir()
    path = os.path.join(tmp, "l.sock")
    with rig_with(srv, 'idle = 1.0; timeout = 2.0; reply = "FE";', local=path) as r:
        start(r, srv)
        r.wait_link("up")
        c = socket.socket(socket.AF_UNIX)
        c.connect(path)
        wait_until(lambda: r.link()["probes_answered"] >= 3, timeout=15, what="answered probes")
        c.sendall(b"data")
        c.settimeout(5)
        got = c.recv(100)
        t.check(got == b"data", "the probe replies never reach the local application (%r)" % got)
        st = r.status()
        t.check(st["relay"][0]["probe_replies"] >= 3, "replies are counted apart (%s)" % st["relay"][0]["probe_replies"])
        c.close()
    srv.close()
    echo = ProbeServer()
    with rig_with(echo, 'idle = 1.0; timeout = 2.0; reply = "any";') as r:
        start(r, echo)
        r.wait_link("up")
        wait_until(lambda: r.link()["probes_answered"] >= 3, timeout=15, what="answered probes")
        t.check(r.link()["state"] == "up", 'reply = "any": any inbound data answers a probe')
    echo.close()


@scenario
def adaptive_idle_under_nat_timeout():
    srv = ProbeServer()
    state = tempfile.mkdtemp(prefix="cellsock-state-")
    ka = 'idle = "auto"; idle_min = 1.0; idle_max = 10.0; timeout = 1.0; retries = 0; reply = "FE";'
    try:
        with rig_with(srv, ka) as r:
            r.server.close()
            r.server = srv
            from cellsock_harness import Daemon
            r.daemon = Daemon(env={"STATE_DIRECTORY": state})
            from supervisor_rig import link_config, Monitor
            r.daemon.write_config(link_config(r.sim.link, srv.port, r.daemon.sock, "", "", ka,
                                              recovery=r.recovery))
            r.daemon.start()
            r.monitor = Monitor(r.daemon.sock)
            r.wait_link("up")
            r.sim.control("nat-timeout all 3")   # the network forgets after 3 s idle
            t.check(r.link()["idle_mode"] == "learning", "idle = auto starts learning at idle_min")
            ev = r.monitor.wait("link-dead", timeout=60)
            t.check(ev["cause"] == "probe-timeout", "a silent death after a too long idle (%s)" % ev)
            wait_until(lambda: r.link()["idle_mode"] == "settled", timeout=10, what="settled")
            link = r.link()
            settled = link["idle"]
            # issue 17: a real margin (0.75..0.90 T; checked here with a
            # wide margin against timer jitter), one death while learning,
            # and the idle measured at the death is an upper bound on T
            # (measured from the last byte on the network, not a poll)
            t.check(0.6 * 3 <= settled <= 0.9 * 3 + 0.05,
                    "it settles with a margin below the network's 3 s (%.2f s)" % settled)
            t.check(len(r.monitor.find("link-dead")) == 1, "one death while learning")
            t.check(link["idle_died"] >= 3.0 - 0.05 and
                    link["idle_survived"] < 3.0 <= link["idle_survived"] * 1.25,
                    "the bracket holds T: survived %.1f s < 3 s <= died %.1f s"
                    % (link["idle_survived"], link["idle_died"]))
            r.wait_link("up", timeout=20)
            connects = r.link()["connects"]
            answered = r.link()["probes_answered"]
            wait_until(lambda: r.link()["probes_answered"] >= answered + 4, timeout=30,
                       what="probes at the settled period")
            t.check(r.link()["connects"] == connects, "at the settled period the connection survives")
            saved = open(os.path.join(state, "idle-server")).read().split()
            t.check(saved[2] == "settled" and abs(float(saved[1]) - settled) < 0.06 and
                    len(saved) == 5 and abs(float(saved[4]) - link["idle_died"]) < 0.06,
                    "what was learned is kept in the state directory, bracket too (%s)" % saved)
            r.daemon.stop()
            # what the stopped daemon kept (it may have learned more since
            # the check above, e.g. a late probe under load): the new one
            # starts from exactly that
            kept = open(os.path.join(state, "idle-server")).read().split()
            r.daemon.start()
            again = r.wait_link("up")
            t.check(again["idle_mode"] == kept[2] and abs(again["idle"] - float(kept[1])) < 0.06
                    and abs((again["idle_survived"] or 0) - float(kept[3])) < 0.06
                    and abs((again["idle_died"] or 0) - float(kept[4])) < 0.06,
                    "a restart does not relearn (bracket kept): %s %.3f s, survived %s, "
                    "died %s; kept %s" % (again["idle_mode"], again["idle"],
                                          again["idle_survived"], again["idle_died"], kept))
    finally:
        srv.close()
        import shutil
        shutil.rmtree(state, ignore_errors=True)


@scenario
def outbound_bytes_restart_the_idle_period():
    """Issue 17: the idle period counts from the last byte that crossed the
    network either way: a client that keeps writing to a server that never
    answers keeps the link from probing (the network sees traffic); once it
    stops, the probe comes one idle period later."""
    from relay_util import RelayRig, Server, connect_local
    srv = Server("record")
    links = [{"name": "out", "port": srv.port, "socket": 1, "local": "unix:",
              "keepalive": 'idle = 2.0; timeout = 5.0; probe = "FF"; reply = "any"; '
                           'ack_timeout = 30.0;'}]
    try:
        with RelayRig(links) as r:
            c = connect_local(links[0]["local"])
            r.wait_link("out", "up")
            c.sendall(b"x")                         # within the first idle period
            sent0 = r.link("out")["probes_sent"]    # the connect check's probe
            t0 = time.monotonic()
            while time.monotonic() - t0 < 6.0:      # 3 idle periods of writes
                c.sendall(b"x")
                time.sleep(0.5)
            t.check(r.link("out")["probes_sent"] == sent0,
                    "no probe while bytes go out every 0.5 s (idle 2 s): %d sent"
                    % (r.link("out")["probes_sent"] - sent0))
            wait_until(lambda: r.link("out")["probes_sent"] > sent0, timeout=10,
                       what="a probe once the writes stop")
            took = time.monotonic() - t0 - 6.0
            t.check(took >= 1.0, "the probe comes an idle period after the last byte (%.1f s)"
                    % took)
            c.close()
    finally:
        srv.close()


def main():
    dialects.run_per_dialect()
    return t.run_with_simulator((
        idle_silent_drop,
        busy_silent_drop,
        rst_and_fin_at_once,
        reply_stripping_and_any,
        adaptive_idle_under_nat_timeout,
        outbound_bytes_restart_the_idle_period,
    ))


if __name__ == "__main__":
    sys.exit(main())
