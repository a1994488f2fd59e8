#!/usr/bin/env python3
"""Control-socket abuse (issue 8/7, item 4): against a daemon with a live
link (simulator + loopback server), 1,000 concurrent clients, silent
clients, a 1 MiB line, binary garbage, a monitor that never reads, and
unprivileged users. Throughout, other clients get answers, the link stays
up (connects only grows by the reconnects the test asks for), the daemon
never holds more descriptors than its client limit allows, and its
descriptor count returns to the baseline once the abusers leave.

Also: a client that pipelines requests and never reads the replies keeps the
daemon's memory bounded, and cellsockctl refused as busy says so (no SIGPIPE)."""

import grp
import os
import resource
import select
import signal
import socket
import stat
import sys
import threading
import time
import traceback

import dialects
from cellsock_harness import (CELLSOCKCTL, CELLSOCKD, Checker, Daemon, deadline, raw_client, skip,
                               wait_until)
from modemsim import sim_binary
from supervisor_rig import Monitor, Rig, link_config

t = Checker("control_abuse")
MAX_CLIENTS = 128
FLOOD = 1000
GROUP = "nogroup"
KNOWN_BUGS = True   # both bugs this file found are fixed: always check them
IS_ROOT = os.geteuid() == 0


def group_gid():
    try:
        return grp.getgrnam(GROUP).gr_gid
    except KeyError:
        return None


class AbuseRig(Rig):
    """The supervisor rig with the socket's group and mode set (when root)."""

    def start(self):
        self.daemon = Daemon()
        text = link_config(self.sim.link, self.server.port, self.daemon.sock, *self.extra,
                           recovery=self.recovery)
        if IS_ROOT and group_gid() is not None:
            text = text.replace('group = ""; mode = "0660"', 'group = "%s"; mode = "0660"' % GROUP)
        self.daemon.write_config(text)
        self.daemon.start()
        self.monitor = Monitor(self.daemon.sock)
        wait_until(lambda: self.status()["daemon"]["monitors"] >= 1, what="monitor")
        return self


def nfds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def timed_status(r):
    """cellsockctl status: (exit status, seconds it took)."""
    t0 = time.monotonic()
    rc, _, _ = r.daemon.ctl("status", timeout=10)
    return rc, time.monotonic() - t0


def raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= need:
        return True
    if hard != resource.RLIM_INFINITY and hard < need:
        return False
    resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    return True


def check_socket_mode(r):
    st = os.stat(r.daemon.sock)
    t.check(stat.S_IMODE(st.st_mode) == 0o660, "the socket's mode is 0660 as configured (%o)"
            % stat.S_IMODE(st.st_mode))
    gid = group_gid()
    if not IS_ROOT or gid is None:
        print("# socket group check skipped: needs root and a group named %s" % GROUP)
        return
    t.check(st.st_gid == gid, "the socket's group is %s as configured (gid %d)" % (GROUP, st.st_gid))


def flood(r, pid, base_fds):
    """1,000 concurrent clients: at most 128 are kept, the rest get ERR busy."""
    socks = []
    t0 = time.monotonic()
    peak = base_fds
    for i in range(FLOOD):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(r.daemon.sock)
        socks.append(s)
        if i % 50 == 0:
            peak = max(peak, nfds(pid))
    # Each client ends up either refused (ERR busy, then EOF) or kept (silent).
    busy, other, closed = 0, [], set()
    pending = {s.fileno(): s for s in socks}
    data = {}
    poller = select.poll()
    for fd in pending:
        poller.register(fd, select.POLLIN)
    end = time.monotonic() + 15
    quiet_since = time.monotonic()
    while time.monotonic() < end:
        peak = max(peak, nfds(pid))
        if len(closed) >= FLOOD - MAX_CLIENTS and time.monotonic() - quiet_since > 0.5:
            break
        for fd, _ in poller.poll(100):
            quiet_since = time.monotonic()
            chunk = pending[fd].recv(4096)
            if chunk:
                data[fd] = data.get(fd, b"") + chunk
            else:
                closed.add(fd)
                poller.unregister(fd)
                del pending[fd]
    for fd in closed:
        text = data.get(fd, b"").decode(errors="replace")
        if text.startswith("ERR busy"):
            busy += 1
        else:
            other.append(text)
    kept = FLOOD - len(closed)
    print("# flood: %d connected in %.2fs, %d refused with ERR busy, %d kept, peak %d fds (baseline %d)"
          % (FLOOD, time.monotonic() - t0, busy, kept, peak, base_fds))
    t.check(busy + kept == FLOOD and not other, "every excess client gets 'ERR busy' and is closed (%s)"
            % other[:2])
    t.check(0 < kept <= MAX_CLIENTS, "the daemon keeps at most %d clients (%d)" % (MAX_CLIENTS, kept))
    t.check(peak <= base_fds + MAX_CLIENTS + 2, "the daemon's fds stay within its budget: peak %d <= %d + %d"
            % (peak, base_fds, MAX_CLIENTS))
    # cellsockctl may write its request after the daemon refused and closed:
    # it then dies of SIGPIPE without a word (a known cellsockctl bug; see
    # the report). Tolerated unless CELLSOCK_ABUSE_KNOWN_BUGS=1.
    results = []
    for _ in range(10):
        rc, out, err = r.daemon.ctl("status", timeout=5)
        results.append((rc, (out + err).strip()[:80]))
    busy_ok = [x for x in results if x[0] == 1 and "busy" in x[1]]
    sigpipe = [x for x in results if x[0] == -signal.SIGPIPE]
    allowed = len(busy_ok) + (0 if KNOWN_BUGS else len(sigpipe))
    print("# table full: %d of 10 cellsockctl runs told busy, %d killed by SIGPIPE" % (len(busy_ok), len(sigpipe)))
    t.check(busy_ok and allowed == len(results), "while the table is full a new client is told busy (%s)"
            % sorted(set(results))[:3])
    return [s for s in socks if s.fileno() in pending]


def silent_clients(r, kept):
    """Close all but 100 silent clients: the daemon answers within 1 s."""
    for s in kept[100:]:
        s.close()
    wait_until(lambda: r.status_noraise() is not None, timeout=10, what="a free client slot")
    worst = 0.0
    for _ in range(5):
        rc, dt = timed_status(r)
        worst = max(worst, dt)
        t.check(rc == 0, "status answers while 100 silent clients sit")
    t.check(worst < 1.0, "status answers within 1 s while 100 silent clients sit (worst %.3fs)" % worst)
    return kept[:100]


def long_line(r):
    """1 MiB without a newline: ERR line-too-long, then the client is closed."""
    s = raw_client(r.daemon.sock)
    blob = b"A" * (1 << 20)

    def send():
        try:
            s.sendall(blob)
        except OSError:
            pass                    # the daemon closed it: expected
    th = threading.Thread(target=send, daemon=True)
    th.start()
    data, end = b"", "timeout"
    s.settimeout(10)
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                end = "eof"
                break
            data += chunk
    except ConnectionResetError:
        end = "reset"           # closed with our unread bytes still queued
    except OSError as e:
        end = str(e)
    th.join(10)
    s.close()
    t.check(data.startswith(b"ERR line-too-long"), "1 MiB without a newline gets ERR line-too-long (%r)"
            % data[:60])
    t.check(data.count(b"\n") == 1 and end in ("eof", "reset"),
            "and the client is closed after that one line (%s)" % end)


def garbage(r):
    s = raw_client(r.daemon.sock)
    s.sendall(bytes(range(256)) * 4 + b"\n")
    data = b""
    s.settimeout(5)
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    s.close()
    t.check(data.startswith(b"ERR bad-request"), "binary garbage gets ERR bad-request (%r)" % data[:60])
    # Random garbage, many times: every answer is an ERR line and the daemon lives.
    import random
    rnd = random.Random(8)
    answers = set()
    for _ in range(50):
        s = raw_client(r.daemon.sock)
        s.sendall(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 3000))) + b"\n")
        s.shutdown(socket.SHUT_WR)
        s.settimeout(5)
        data = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        s.close()
        answers.add(data.split(b" ", 2)[0] + b" " + data.split(b" ", 2)[1] if data.count(b" ") >= 1 else data)
    t.check(r.daemon.alive() and all(a.startswith(b"ERR") for a in answers if a),
            "50 random garbage requests get ERR answers (%s)" % sorted(answers)[:4])


def deaf_monitor(r):
    """A monitor that never reads while reconnects generate events."""
    s = raw_client(r.daemon.sock)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"monitor\n")
    wait_until(lambda: r.status()["daemon"]["monitors"] >= 2, what="the deaf monitor to subscribe")
    before = r.link()["connects"]
    worst = 0.0
    for i in range(5):
        mark = r.monitor.mark()
        rc, _, err = r.ctl("reconnect", "server")
        t.check(rc == 0, "reconnect %d accepted (%s)" % (i + 1, err.strip()))
        r.server.accept(timeout=20)
        r.monitor.wait("link-state", since=mark, state="up", timeout=20)
        rc, dt = timed_status(r)
        worst = max(worst, dt)
    after = r.wait_link("up")["connects"]
    t.check(after == before + 5, "the link reconnected exactly 5 times (connects %d -> %d)" % (before, after))
    t.check(worst < 1.0, "other clients are answered within 1 s while a monitor reads nothing (worst %.3fs)"
            % worst)
    t.check(r.status()["daemon"]["monitors"] >= 1, "the reading monitor still gets events")
    # The 1 MiB drop itself needs ~17,000 events (a few per reconnect): not
    # reachable in a bounded test; what is checked is that nobody waits.
    s.close()


def deaf_requester(r, pid):
    """A client pipelining requests and never reading: memory must stay bounded."""
    if not KNOWN_BUGS:
        print("# check skipped (known daemon bug, see the report): a client that pipelines "
              "requests and never reads makes the daemon's memory grow without bound; "
              "set CELLSOCK_ABUSE_KNOWN_BUGS=1 to run it")
        return
    base = rss_kib(pid)
    s = raw_client(r.daemon.sock)
    s.settimeout(0.5)
    req = b"status\n" * 1000
    worst = base
    end = time.monotonic() + 5
    try:
        while time.monotonic() < end and worst < base + 256 * 1024:
            s.sendall(req)
            worst = max(worst, rss_kib(pid))
    except OSError:
        pass
    s.close()
    t.check(worst < base + 16 * 1024, "a client that never reads its replies cannot grow the daemon "
            "by more than 16 MiB (grew %d KiB)" % (worst - base))


def unprivileged(r):
    if not IS_ROOT or group_gid() is None:
        print("# unprivileged checks skipped: need root (to run as uid 65534) and a group %s" % GROUP)
        return
    gid = group_gid()
    os.chmod(r.daemon.dir, 0o755)
    other_gid = 54321

    def as_outsider():
        os.setgroups([])
        os.setgid(other_gid)
        os.setuid(65534)

    def as_member():
        os.setgroups([gid])
        os.setgid(other_gid)
        os.setuid(65534)

    rc, out, err = r.daemon.ctl("status", preexec_fn=as_outsider)
    t.check(rc == 3, "mode 0660: a user outside group %s cannot even connect (exit %d: %s)"
            % (GROUP, rc, err.strip()[:80]))
    # Open the file mode so the daemon's own check (SO_PEERCRED) is what refuses.
    os.chmod(r.daemon.sock, 0o666)
    try:
        for cmd in (["reconnect", "server"], ["disconnect", "server"], ["connect", "server"],
                    ["send", "server", "x"], ["reset", "pdp"], ["reload"], ["log-level", "debug"],
                    ["at", "AT"]):
            rc, out, err = r.daemon.ctl(*cmd, preexec_fn=as_outsider)
            t.check(rc == 1 and "permission-denied" in err,
                    "uid 65534 outside the group: '%s' gets ERR permission-denied (%s)"
                    % (" ".join(cmd), err.strip()[:60]))
        for cmd in (["status"], ["links"], ["log-level"], ["version"]):
            rc, out, err = r.daemon.ctl(*cmd, preexec_fn=as_outsider)
            t.check(rc == 0, "uid 65534 outside the group may read '%s'" % " ".join(cmd))
    finally:
        os.chmod(r.daemon.sock, 0o660)
    rc, out, err = r.daemon.ctl("log-level", "debug", preexec_fn=as_member)
    t.check(rc == 0, "uid 65534 in group %s may change the log level (%s)" % (GROUP, err.strip()))
    rc, out, err = r.daemon.ctl("at", "AT", preexec_fn=as_member)
    t.check(rc == 1 and "permission-denied" in err, "'at' needs root even for group members")


def main():
    dialects.run_per_dialect()
    if not all(os.path.exists(p) for p in (CELLSOCKD, CELLSOCKCTL, sim_binary())):
        skip("cellsockd, cellsockctl or cellsock-modemsim not built")
    if not raise_nofile(FLOOD + 200):
        skip("RLIMIT_NOFILE too low for %d clients and cannot be raised" % FLOOD)
    deadline(85)
    start = time.monotonic()
    kept = []
    try:
        with AbuseRig() as r:
            def status_noraise():
                rc, _, _ = r.daemon.ctl("status", timeout=5)
                return True if rc == 0 else None
            r.status_noraise = status_noraise
            r.server.accept(timeout=20)
            r.wait_link("up")
            pid = r.daemon.proc.pid
            connects = r.link()["connects"]
            base_fds = nfds(pid)
            print("# baseline: %d fds, connects %d" % (base_fds, connects))
            check_socket_mode(r)
            for step in (flood, silent_clients, long_line, garbage, deaf_monitor, deaf_requester,
                         unprivileged):
                try:
                    if step is flood:
                        kept = flood(r, pid, base_fds)
                    elif step is silent_clients:
                        kept = silent_clients(r, kept)
                    elif step in (deaf_requester,):
                        step(r, pid)
                    else:
                        step(r)
                except Exception:
                    t.check(False, "%s raised:\n%s" % (step.__name__, traceback.format_exc()))
                t.check(r.daemon.alive(), "the daemon is alive after %s" % step.__name__)
            for s in kept:
                s.close()
            kept = []
            link = r.wait_link("up")
            t.check(link["connects"] == connects + 5,
                    "the link is up and only reconnected when asked (connects %d -> %d)"
                    % (connects, link["connects"]))
            try:
                wait_until(lambda: nfds(pid) <= base_fds, timeout=10, what="fds back to baseline")
            except AssertionError:
                pass
            t.check(nfds(pid) <= base_fds, "the daemon's fds return to the baseline (%d, baseline %d)"
                    % (nfds(pid), base_fds))
            log = r.daemon.logtext()
            t.check("AddressSanitizer" not in log and "runtime error" not in log,
                    "no sanitizer report in the daemon's log")
    finally:
        for s in kept:
            s.close()
    print("# control_abuse took %.1fs" % (time.monotonic() - start))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
