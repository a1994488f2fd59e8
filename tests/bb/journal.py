#!/usr/bin/env python3
"""Issue 15, item 6: where cellsockd's log lines go, against the simulator
and a loopback server.

1. stderr is a plain file and JOURNAL_STREAM names something else (a fake
   value): plain lines, each with a local timestamp and the level, no "<N>"
   prefixes.
2. JOURNAL_STREAM names the file stderr is open on (as systemd sets it): the
   daemon logs through sd_journal_send. Without touching the host's journal,
   a private mount namespace puts a fake journald socket at
   /run/systemd/journal/socket; the entries must carry PRIORITY=, MESSAGE=,
   SYSLOG_IDENTIFIER= and the structured fields LINK=, STATE=,
   MODEM_STATE=, CELLSOCK_EVENT= (and CAUSE= when a link dies). When
   journald stops answering, lines fall back to stderr with "<N>" prefixes (journald
   still reads those). Needs root and unshare(1), else skipped with the
   reason.
3. The modem's last_error clears when the modem is ready again (the port
   was missing at start, then the simulator appears).
4. With a running journald and journalctl (as root), the same fields are
   read back with `journalctl -o json`; else skipped with the reason.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from cellsock_harness import CELLSOCKD, Checker, Daemon, deadline, wait_until
from modemsim import ModemSim, TcpServer
from supervisor_rig import link_config

t = Checker("journal")
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d{4} cellsockd: "
                   r"(error|warning|notice|info|debug): ")


def link_state(d):
    rc, out, err = d.ctl("links", json=True)
    if rc != 0:
        return None
    return json.loads(out)["link"][0]["state"]


class Setup:
    """Simulator, loopback server and a daemon (not started) on them."""

    def __init__(self, env=None):
        self.sim = ModemSim().start()
        self.server = TcpServer()
        self.d = Daemon(env=env)
        self.d.write_config(link_config(self.sim.link, self.server.port, self.d.sock))

    def close(self):
        self.d.cleanup()
        self.server.close()
        self.sim.stop()


def plain_file():
    s = Setup(env={"JOURNAL_STREAM": "12345:67890"})
    try:
        s.d.start()
        wait_until(lambda: link_state(s.d) == "up", timeout=30, what="link up")
        lines = [l for l in s.d.logtext().splitlines() if l]
        t.check(lines and all(STAMP.match(l) for l in lines),
                "a plain file: every line starts with a timestamp and the level (%r)" % lines[:2])
        t.check(not any(l.startswith("<") for l in lines), "no <N> prefixes in a plain file")
        t.check(any(re.search(r"info: link server: connecting -> up", l) for l in lines),
                "the link's state change is there")
    finally:
        s.close()


class FakeJournal:
    """A datagram socket speaking journald's native protocol, at a path the
    daemon's mount namespace sees as /run/systemd/journal/socket."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cellsock-journal-")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(os.path.join(self.dir, "socket"))
        self.sock.settimeout(0.2)
        self.entries = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @staticmethod
    def parse(data):
        """KEY=value lines, or KEY\\n<64-bit LE length>value\\n for binary values."""
        entry, i = {}, 0
        while i < len(data):
            nl = data.index(b"\n", i)
            line = data[i:nl]
            if b"=" in line:
                k, v = line.split(b"=", 1)
                i = nl + 1
            else:
                n = int.from_bytes(data[nl + 1:nl + 9], "little")
                k, v = line, data[nl + 9:nl + 9 + n]
                i = nl + 9 + n + 1
            entry[k.decode()] = v.decode(errors="replace")
        return entry

    def _run(self):
        while self.running:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.entries.append(self.parse(data))

    def find(self, **fields):
        with self.lock:
            return [e for e in self.entries if all(e.get(k) == v for k, v in fields.items())]

    def close(self):
        """Stop listening; the socket file stays, so senders get ECONNREFUSED
        (libsystemd drops a message silently only when the file is missing)."""
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def in_namespace_argv(journal_dir, d):
    script = ('mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/journal && '
              'mount --bind "$0" /run/systemd/journal && exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, journal_dir,
            CELLSOCKD, "-d", "-f", d.conf, "-s", d.sock]


def stream_of(path):
    st = os.stat(path)
    return "%d:%d" % (st.st_dev, st.st_ino)


def fake_journal():
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        print("SKIP (fake journald part): needs root and unshare(1) for a private mount namespace")
        return
    fj = FakeJournal()
    s = Setup()
    try:
        open(s.d.log, "ab").close()
        s.d.env["JOURNAL_STREAM"] = stream_of(s.d.log)
        s.d.start(argv=in_namespace_argv(fj.dir, s.d))
        wait_until(lambda: fj.find(LINK="server", STATE="up"), timeout=30, what="journal: link up")
        up = fj.find(LINK="server", STATE="up")[0]
        t.check(up.get("CELLSOCK_EVENT") == "link-state" and up.get("PRIORITY") == "6" and
                up.get("SYSLOG_IDENTIFIER") == "cellsockd" and
                up.get("MESSAGE", "").startswith("link server: connecting -> up"),
                "link state change: LINK=, STATE=, CELLSOCK_EVENT=, PRIORITY=, MESSAGE= (%r)" % up)
        ready = fj.find(MODEM_STATE="ready")
        t.check(ready and ready[0].get("CELLSOCK_EVENT") == "modem-state",
                "modem state change: MODEM_STATE=ready, CELLSOCK_EVENT=modem-state")
        t.check(fj.find(MESSAGE="ready (1 link configured)"), "plain messages go to the journal too")
        conn = s.server.accept(timeout=20)
        conn.close()    # the server ends the connection: the link dies
        dead = wait_until(lambda: fj.find(LINK="server", CELLSOCK_EVENT="link-dead"), timeout=30,
                          what="journal: link dead")[0]
        t.check(dead.get("CAUSE") in ("remote-close", "remote-reset") and dead.get("PRIORITY") == "4",
                "link death: LINK=, CAUSE=, CELLSOCK_EVENT=link-dead, PRIORITY=4 (%r)" % dead)
        t.check("CODE_FILE" not in dead, "no CODE_FILE= naming the log module itself")
        wait_until(lambda: link_state(s.d) == "up", timeout=30, what="link up again")
        t.check(s.d.logtext() == "", "nothing on stderr while the journal takes the lines (%r)"
                % s.d.logtext()[:200])
        fj.close()
        rc = s.d.ctl("disconnect", "server")
        try:
            wait_until(lambda: re.search(r"(?m)^<6>link server: up -> ", s.d.logtext()),
                       timeout=15, what="<6> fallback line")
        except AssertionError:
            pass
        t.check(re.search(r"(?m)^<6>link server: up -> ", s.d.logtext()),
                "journal socket gone: lines fall back to stderr with <N> prefixes (%r, %r)"
                % (rc, s.d.logtext()[-300:]))
    finally:
        s.close()
        fj.cleanup()


def real_journal():
    if os.geteuid() != 0 or shutil.which("journalctl") is None or \
            not os.path.exists("/run/systemd/journal/socket"):
        print("SKIP (journalctl part): needs root, journalctl and a running journald "
              "(/run/systemd/journal/socket)")
        return
    s = Setup()
    try:
        open(s.d.log, "ab").close()
        s.d.env["JOURNAL_STREAM"] = stream_of(s.d.log)
        s.d.start()
        pid = s.d.proc.pid
        wait_until(lambda: link_state(s.d) == "up", timeout=30, what="link up")

        def entries():
            subprocess.run(["journalctl", "--sync"], capture_output=True, timeout=10)
            p = subprocess.run(["journalctl", "-o", "json", "--no-pager", "_PID=%d" % pid],
                               capture_output=True, text=True, timeout=10)
            return [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
        got = wait_until(lambda: [e for e in entries() if e.get("LINK") == "server" and
                                  e.get("STATE") == "up"], timeout=15, what="journalctl: link up")
        t.check(got[0].get("CELLSOCK_EVENT") == "link-state" and got[0].get("PRIORITY") == "6",
                "journalctl -o json shows LINK=, STATE=, CELLSOCK_EVENT=, PRIORITY=")
        t.check(any(e.get("MODEM_STATE") == "ready" for e in entries()),
                "journalctl -o json shows MODEM_STATE=ready")
    finally:
        s.close()


def last_error_clears():
    sim = ModemSim()
    server = TcpServer()
    d = Daemon()
    try:
        d.write_config(link_config(sim.link, server.port, d.sock))
        d.start()

        def modem():
            rc, out, err = d.ctl("modem", json=True)
            return json.loads(out)["modem"] if rc == 0 else {}
        m = wait_until(lambda: modem().get("last_error") and modem(), timeout=15,
                       what="an error about the missing port")
        t.check("No such file" in m["last_error"] or "not" in m["last_error"],
                "the missing port is the modem's last_error (%r)" % m["last_error"])
        sim.start()
        m = wait_until(lambda: modem().get("state") == "ready" and modem(), timeout=40,
                       what="modem ready")
        t.check(m.get("last_error") in ("", None, "-"),
                "ready again: the modem's last_error is cleared (%r)" % m.get("last_error"))
    finally:
        d.cleanup()
        server.close()
        sim.stop()


def main():
    deadline(120)
    if not os.path.exists(CELLSOCKD):
        print("SKIP: cellsockd not built")
        return 77
    for fn in (plain_file, fake_journal, last_error_clears, real_journal):
        start = time.monotonic()
        t.scenario(fn)()
        print("# %s: %.1f s" % (fn.__name__, time.monotonic() - start))
    return t.finish()


if __name__ == "__main__":
    raise SystemExit(main())
