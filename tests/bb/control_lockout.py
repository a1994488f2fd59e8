#!/usr/bin/env python3
"""Issue 16, item 3: a non-root user cannot lock root (or the group) out of
the control socket. The socket's mode is 0666 and its group nogroup; 200
hostile clients, each `monitor` and then never reading, come from uid 65534
outside the group, then from uid 65534 inside it. Throughout, root's
`cellsockctl status` answers, and a group member's does while only outsiders
crowd the socket. Also: a monitor that stops reading while events wait for it
is dropped, with a log line, instead of holding its slot for ever.

Needs root (to change uid): SKIP otherwise."""

import fcntl
import grp
import os
import resource
import select
import signal
import socket
import struct
import sys
import termios
import time

from cellsock_harness import (CELLSOCKCTL, CELLSOCKD, Checker, Daemon, deadline, minimal_config,
                              raw_client, read_reply, skip, wait_until)

t = Checker("control_lockout")
HOSTILE = 200
GROUP = "nogroup"
OTHER_GID = 54321
# The documented limits (cellsockd(8), CONTROL CLIENTS).
ROOT_RESERVE = 16
OTHERS_MAX = 32
TOTAL = 128


def as_outsider():
    os.setgroups([])
    os.setgid(OTHER_GID)
    os.setuid(65534)


def as_member():
    os.setgroups([grp.getgrnam(GROUP).gr_gid])
    os.setgid(OTHER_GID)
    os.setuid(65534)


class Hostile:
    """A forked child that becomes uid 65534, opens n connections, sends
    `monitor` on each, reads only the first answer, then holds them all
    without reading until told to go (its pipe closes)."""

    def __init__(self, sock, n, become):
        self.report_r, report_w = os.pipe()
        hold_r, self.hold_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            code = 1
            try:
                os.close(self.report_r)
                os.close(self.hold_w)
                become()
                code = self._child(sock, n, report_w, hold_r)
            finally:
                os._exit(code)
        os.close(report_w)
        os.close(hold_r)
        self.ok, self.busy, self.other = self._report()

    @staticmethod
    def _child(sock, n, report_w, hold_r):
        socks, ok, busy, other = [], 0, 0, 0
        for _ in range(n):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            try:
                s.connect(sock)
                s.sendall(b"monitor\n")
            except OSError:
                pass
            socks.append(s)
        for s in socks:
            try:
                answer = read_reply(s, timeout=5)
            except OSError:
                answer = ""
            if answer.startswith("OK"):
                ok += 1
            elif answer.startswith("ERR busy"):
                busy += 1
                s.close()
            else:
                other += 1
        os.write(report_w, b"%d %d %d\n" % (ok, busy, other))
        os.read(hold_r, 1)          # hold until the parent closes the pipe
        return 0

    def _report(self):
        r, _, _ = select.select([self.report_r], [], [], 30)
        if not r:
            return 0, 0, -1
        data = os.read(self.report_r, 64).split()
        return tuple(int(x) for x in data) if len(data) == 3 else (0, 0, -1)

    def release(self):
        if self.pid:
            os.close(self.hold_w)
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            os.close(self.report_r)
            self.pid = 0


def status_rc(d, preexec_fn=None):
    rc, out, err = d.ctl("status", timeout=10, preexec_fn=preexec_fn)
    return rc, (out + err).strip().splitlines()[-1:] if rc else ""


def clients(d):
    rc, out, _ = d.ctl("status", json=True)
    import json
    return json.loads(out)["daemon"]["clients"] if rc == 0 else -1


def outsiders(d):
    """200 outsiders: only OTHERS_MAX get in; root and the group still do."""
    h = Hostile(d.sock, HOSTILE, as_outsider)
    try:
        print("# outsiders: %d kept, %d refused busy, %d other" % (h.ok, h.busy, h.other))
        t.check(h.other == 0, "every outsider is either kept or told busy (%d other)" % h.other)
        t.check(h.ok <= OTHERS_MAX, "at most %d outsiders are kept (%d)" % (OTHERS_MAX, h.ok))
        for i in range(3):
            rc, why = status_rc(d)
            t.check(rc == 0, "root's status answers while %d outsiders hold monitors (%d: %s)"
                    % (h.ok, rc, why))
        rc, why = status_rc(d, as_member)
        t.check(rc == 0, "a group member's status answers while outsiders crowd the socket (%d: %s)"
                % (rc, why))
        rc, why = status_rc(d, as_outsider)
        t.check(rc == 1 and "busy" in str(why), "one more outsider is told busy (%d: %s)" % (rc, why))
    finally:
        h.release()
    wait_until(lambda: clients(d) <= 1, timeout=10, what="the outsiders' slots to free")


def members(d):
    """200 group members: root keeps its reserve."""
    h = Hostile(d.sock, HOSTILE, as_member)
    try:
        print("# members: %d kept, %d refused busy, %d other" % (h.ok, h.busy, h.other))
        t.check(h.other == 0, "every member is either kept or told busy (%d other)" % h.other)
        t.check(h.ok <= TOTAL - ROOT_RESERVE, "at most %d non-root clients are kept (%d)"
                % (TOTAL - ROOT_RESERVE, h.ok))
        for i in range(3):
            rc, why = status_rc(d)
            t.check(rc == 0, "root's status answers while %d members hold monitors (%d: %s)"
                    % (h.ok, rc, why))
    finally:
        h.release()
    wait_until(lambda: clients(d) <= 1, timeout=10, what="the members' slots to free")


def deaf_monitor(d):
    """A monitor that reads nothing while events pile up is dropped."""
    s = raw_client(d.sock)
    s.sendall(b"monitor\n")
    t.check(read_reply(s).startswith("OK"), "the deaf monitor subscribes")
    base = d.logtext()
    ctl = raw_client(d.sock)
    ctl_file = ctl.makefile("rb")
    queued, stalled = 0, 0
    # Each reload broadcasts one config-reloaded event: make them until the
    # kernel's socket buffer toward the deaf monitor stops growing.
    for i in range(5000):
        ctl.sendall(b"reload\n")
        line = ctl_file.readline()
        if line != b"OK\n":
            t.check(False, "reload %d answered %r" % (i, line))
            break
        now = struct.unpack("i", fcntl.ioctl(s.fileno(), termios.FIONREAD, b"\0" * 4))[0]
        stalled = stalled + 1 if now == queued else 0
        queued = now
        if stalled >= 50:
            break
    print("# %d reloads; %d bytes wait in the deaf monitor's socket" % (i + 1, queued))
    ctl_file.close()
    ctl.close()

    def dropped():
        s.settimeout(0)
        try:
            while True:
                if s.recv(1 << 20) == b"":
                    return True
        except BlockingIOError:
            return False
        except OSError:
            return True
    # Drain only now: the daemon must already have given up on it.
    t0 = time.monotonic()
    try:
        wait_until(lambda: "monitor client" in d.logtext()[len(base):], timeout=25,
                   what="the drop's log line")
        gone = True
    except AssertionError:
        gone = False
    t.check(gone, "a monitor that reads nothing is dropped with a log line (%.1f s)"
            % (time.monotonic() - t0))
    t.check(gone and wait_until(dropped, timeout=5, what="EOF"), "and its connection is closed")
    s.close()


def main():
    if os.geteuid() != 0:
        skip("needs root to run hostile clients as uid 65534")
    if not os.path.exists(CELLSOCKD) or not os.path.exists(CELLSOCKCTL):
        skip("cellsockd or cellsockctl not built")
    try:
        grp.getgrnam(GROUP)
    except KeyError:
        skip("needs a group named %s" % GROUP)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2 * HOSTILE + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    deadline(150)
    d = Daemon()
    try:
        d.write_config(minimal_config(d.sock).replace('group = ""; mode = "0660"',
                                                     'group = "%s"; mode = "0666"' % GROUP))
        os.chmod(d.dir, 0o755)
        d.start()
        for step in (outsiders, members, deaf_monitor):
            start = time.monotonic()
            try:
                step(d)
            except Exception:
                import traceback
                t.check(False, "%s raised:\n%s" % (step.__name__, traceback.format_exc()))
            t.check(d.alive(), "the daemon is alive after %s" % step.__name__)
            print("# %s: %.1f s" % (step.__name__, time.monotonic() - start))
    finally:
        d.cleanup()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
