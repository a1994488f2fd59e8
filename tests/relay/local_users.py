#!/usr/bin/env python3
"""Who may use a local endpoint (issue 16, item 6): a tcp: endpoint is open
to every local user, and `cellsockd -n` says so with FILE:LINE; with
links[].local_users only the listed users' clients are accepted (the uid of
a tcp client is found in /proc/net/tcp), others are closed and logged, and
a reload changes the list. Needs root to connect as another user."""

import os
import pwd
import signal
import socket
import subprocess
import sys
import tempfile
import traceback
import encodings.idna  # noqa: F401  (loaded before a child drops to nobody)

from cellsock_harness import CELLSOCKD, Checker, skip
from relay_util import RelayRig, Server, connect_local, relay_config, wait_eof

t = Checker("relay-local-users")

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def client_as(user, local):
    """Connect as user (fork, then setuid), send "ping"; repr of what came
    back before EOF, as the child reports it through a pipe."""
    pw = pwd.getpwnam(user)
    host, port = local[4:].rsplit(":", 1)
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        out = "error"
        try:
            os.close(rfd)
            os.setgroups([])
            os.setgid(pw.pw_gid)
            os.setuid(pw.pw_uid)
            s = socket.create_connection((host, int(port)), timeout=10)
            s.sendall(b"ping")
            got = b""
            while len(got) < 4:
                try:
                    chunk = s.recv(100)
                except ConnectionResetError:    # closed with "ping" unread
                    break
                if not chunk:
                    break
                got += chunk
            out = repr(got)
        except Exception as e:
            out = "error: %r" % e
        finally:
            os.write(wfd, out.encode())
            os._exit(0)
    os.close(wfd)
    with os.fdopen(rfd) as f:
        out = f.read()
    os.waitpid(pid, 0)
    return out


def check_warning():
    """cellsockd -n: a warning with FILE:LINE for an unrestricted tcp: endpoint."""
    d = tempfile.mkdtemp(prefix="cellsock-lu-")
    conf = os.path.join(d, "c.conf")
    try:
        links = [dict(name="open", port=1, socket=1, local="tcp:127.0.0.1:7001"),
                 dict(name="shut", port=1, socket=2, local="tcp:127.0.0.1:7002",
                      extra='local_users = [ "root" ];'),
                 dict(name="unix", port=1, socket=3, local="unix:%s/u.sock" % d)]
        with open(conf, "w") as f:
            f.write(relay_config("/dev/null", os.path.join(d, "ctl.sock"), links))
        p = subprocess.run([CELLSOCKD, "-n", "-f", conf], capture_output=True, timeout=10)
        err = p.stderr.decode()
        lines = [l for l in err.splitlines() if "warning" in l]
        t.check(p.returncode == 0, "-n: the configuration is valid (%d)" % p.returncode)
        t.check(len(lines) == 1 and lines[0].startswith(conf + ":3: warning: links[0].local:")
                and "every user" in lines[0] and "local_users" in lines[0],
                "-n warns once, with FILE:LINE, for the unrestricted tcp: endpoint: %s" % lines)
        bad = [dict(name="x", port=1, socket=1, local="tcp:127.0.0.1:7001",
                    extra='local_users = [ "no-such-user-here" ];')]
        with open(conf, "w") as f:
            f.write(relay_config("/dev/null", os.path.join(d, "ctl.sock"), bad))
        p = subprocess.run([CELLSOCKD, "-n", "-f", conf], capture_output=True, timeout=10)
        t.check(p.returncode == 1 and "no such user" in p.stderr.decode(),
                "-n: an unknown user in local_users is an error: %s" % p.stderr.decode().strip())
    finally:
        import shutil
        shutil.rmtree(d, ignore_errors=True)


def check_access(r, local, echo):
    r.wait_link("echo", "up")
    log0 = len(r.daemon.logtext())
    got = client_as("nobody", local)
    t.check(got == "b''", "a client of user nobody (not in local_users) is closed unserved (%s)" % got)
    log = r.daemon.logtext()[log0:]
    t.check("of uid %d" % pwd.getpwnam("nobody").pw_uid in log and "refused" in log,
            "the refusal is logged with the uid: %s" % [l for l in log.splitlines() if "refused" in l])
    t.check(echo.count() == 0 or b"ping" not in echo.received(0),
            "nothing of the refused client reached the server")
    got = client_as("root", local)
    t.check(got == "b'ping'", "a client of user root (listed) is served (%s)" % got)

    # a reload: now only nobody
    links = [dict(name="echo", port=echo.port, socket=1, local=local,
                  extra='local_users = [ "nobody" ];')]
    r.daemon.write_config(relay_config(r.sim.link, r.daemon.sock, links))
    rc, out, err = r.daemon.ctl("reload")
    t.check(rc == 0, "reload with local_users = [ \"nobody\" ] (%s %s)" % (out.strip(), err.strip()))
    t.check(client_as("nobody", local) == "b'ping'", "after the reload nobody is served")
    c = connect_local(local)
    t.check(wait_eof(c) == b"", "after the reload root's client is closed unserved")
    c.close()


def main():
    if not os.access(CELLSOCKD, os.X_OK):
        skip("not built: %s" % CELLSOCKD)
    signal.alarm(120)
    try:
        check_warning()
    except Exception:
        t.check(False, "raised:\n" + traceback.format_exc())
    if os.geteuid() != 0:
        print("# SKIP: connecting as another user needs root")
        if t.failed:
            return t.finish()
        skip("connecting as another user needs root")
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        skip("no user nobody")
    echo = Server("echo")
    local = "tcp:127.0.0.1:%d" % free_port()
    links = [dict(name="echo", port=echo.port, socket=1, local=local,
                  extra='local_users = [ "root" ];')]
    try:
        with RelayRig(links) as r:
            check_access(r, local, echo)
    except Exception:
        t.check(False, "raised:\n" + traceback.format_exc())
    finally:
        echo.close()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
