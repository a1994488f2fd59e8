#!/usr/bin/env python3
"""Black-box: the real cellsockd on a private socket, driven by the real
cellsockctl: status/links/version/log-level in text and JSON, exit codes,
monitor events, SIGHUP reload (good and bad), protocol abuse, a second
instance refused, a file that is not a socket left alone, socket activation, sd_notify messages, SIGTERM."""

import grp
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

from cellsock_harness import (CELLSOCKCTL, CELLSOCKD, TOP_SRCDIR, Checker, Daemon,
                              minimal_config, raw_client, read_reply, skip, wait_until)

t = Checker("daemon_control")


def check_config_check():
    example = os.path.join(TOP_SRCDIR, "etc/cellsockd.conf")
    p = subprocess.run([CELLSOCKD, "-n", "-f", example], capture_output=True, timeout=10)
    t.check(p.returncode == 0, "cellsockd -n accepts etc/cellsockd.conf (%s)" % p.stderr.decode().strip())
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write('modem: { device = "/dev/null"; };\nlinks = ( { name = "a"; host = "h";\n'
                '  port = 99999; socket = 1; } );\nbogus = 1;\n')
    p = subprocess.run([CELLSOCKD, "-n", "-f", f.name], capture_output=True, timeout=10)
    err = p.stderr.decode()
    os.unlink(f.name)
    t.check(p.returncode == 1, "cellsockd -n exits 1 on a bad file")
    t.check("%s:3:" % f.name in err, "the bad port is reported with file:line 3")
    t.check("%s:4:" % f.name in err, "the unknown key is reported with file:line 4 (all problems at once)")
    p = subprocess.run([CELLSOCKD, "-n", "-f", "/nonexistent/x.conf"], capture_output=True, timeout=10)
    t.check(p.returncode == 1 and b"/nonexistent/x.conf" in p.stderr, "a missing file is named")


def check_queries(d):
    rc, out, _ = d.ctl("status")
    t.check(rc == 0 and "link1" in out and "waiting" in out,
            "status shows the link in text, waiting for a modem that cannot be opened")
    rc, out, _ = d.ctl("status", json=True)
    doc = json.loads(out)
    t.check(rc == 0 and doc["ok"] is True and doc["link"][0]["name"] == "link1"
            and doc["link"][0]["state"] == "waiting", "status -j is valid JSON with the link")
    t.check(doc["modem"]["state"] == "closed" and "/dev/null" in doc["modem"]["last_error"],
            "status -j shows why the modem is not open (%s)" % doc["modem"].get("last_error"))
    p = subprocess.run([sys.executable, "-m", "json.tool"], input=out.encode(), capture_output=True)
    t.check(p.returncode == 0, "python3 -m json.tool accepts status -j")
    t.check(doc["daemon"]["pid"] == d.proc.pid, "status reports the daemon's pid")
    rc, out, _ = d.ctl("links", json=True)
    t.check(rc == 0 and len(json.loads(out)["link"]) == 2, "links -j lists both links")
    rc, out, _ = d.ctl("version", json=True)
    t.check(rc == 0 and json.loads(out)["version"]["name"] == "cellsockd", "version -j")
    rc, out, _ = d.ctl("log-level", "debug")
    t.check(rc == 0 and "debug" in out, "log-level debug is applied")
    rc, out, _ = d.ctl("log-level", json=True)
    t.check(rc == 0 and json.loads(out)["log"]["level"] == "debug", "log-level reads back")
    d.ctl("log-level", "info")
    rc, out, err = d.ctl("metrics")
    t.check(rc == 0 and "cellsock_up 1" in out, "metrics prints the Prometheus exposition")
    rc, out, _ = d.ctl("metrics", json=True)
    t.check(rc == 0 and "cellsock_up 1" in json.loads(out)["lines"], "metrics -j gives its lines as JSON")
    rc, out, _ = d.ctl("connect", "nosuch", json=True)
    t.check(rc == 1 and json.loads(out)["error"]["code"] == "no-such-link", "ERR is JSON with -j")
    rc, out, err = d.ctl("disconnect", "link1")
    t.check(rc == 0 and "idle" in out, "disconnect makes a waiting link idle")
    rc, out, err = d.ctl("connect", "nosuch")
    t.check(rc == 1 and "no link named" in err, "an unknown link name is refused, exit 1")
    rc, out, err = d.ctl("connect", "link1")
    t.check(rc == 0 and "waiting" in out, "connect makes it wait for the modem again")
    rc, _, err = d.ctl("frobnicate")
    t.check(rc == 2, "unknown CLI command exits 2")
    rc, _, err = d.ctl("connect")
    t.check(rc == 2 and "usage" in err, "missing argument exits 2 with usage")
    rc, _, err = d.ctl("status", sock=os.path.join(d.dir, "nothing.sock"))
    t.check(rc == 3, "unreachable daemon exits 3")
    rc, out, _ = d.ctl("help", json=True)
    t.check(rc == 0 and any(c["name"] == "at" and c["privileged"] == "root"
                            for c in json.loads(out)["command"]), "help comes from the command table")


def check_reload(d):
    mon = subprocess.Popen([CELLSOCKCTL, "-s", d.sock, "-j", "monitor"], stdout=subprocess.PIPE, bufsize=0,
                           stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_until(lambda: json.loads(d.ctl("status", json=True)[1])["daemon"]["monitors"] >= 1,
                   what="monitor to subscribe")
        d.write_config(minimal_config(d.sock, links=3))
        d.signal(signal.SIGHUP)
        ev, line = read_event(mon.stdout, "config-reloaded", 10)
        t.check(ev.get("event") == "config-reloaded" and ev.get("links") == 3,
                "SIGHUP reload emits config-reloaded to monitor (%r)" % line)
        rc, out, _ = d.ctl("links", json=True)
        t.check(len(json.loads(out)["link"]) == 3, "the new configuration is running")
        d.write_config(minimal_config(d.sock, links=1) + "nonsense = ;\n")
        d.signal(signal.SIGHUP)
        wait_until(lambda: "refused" in d.logtext(), what="the refusal to be logged")
        t.check(d.conf + ":" in d.logtext(), "the bad file's problems are logged with file:line")
        rc, out, _ = d.ctl("links", json=True)
        t.check(d.alive() and len(json.loads(out)["link"]) == 3, "a bad file keeps the old configuration running")
        rc, out, err = d.ctl("reload")
        t.check(rc == 1 and "refused" in err and d.conf in err, "reload via the CLI reports the problems, exit 1")
    finally:
        os.killpg(mon.pid, signal.SIGTERM)
        mon.wait(timeout=5)
    d.write_config(minimal_config(d.sock, links=2))
    rc, _, _ = d.ctl("reload")
    t.check(rc == 0, "reload of a good file via the CLI succeeds")


def read_event(f, name, timeout):
    """Read JSON event lines until one named name arrives or the deadline passes."""
    import select
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline:
        if not select.select([f], [], [], max(0, deadline - time.monotonic()))[0]:
            break
        line = f.readline().decode().strip()
        if not line:
            break
        ev = json.loads(line)
        if ev.get("event") == name:
            return ev, line
    return {}, line


def check_abuse(d):
    s1 = raw_client(d.sock)
    s1.sendall(b"\x00\x01\x02garbage\n")
    reply = read_reply(s1)
    t.check(reply.startswith("ERR bad-request"), "binary garbage gets ERR bad-request")
    t.check(s1.recv(10) == b"", "and the garbage client is closed")
    s1.close()
    s2 = raw_client(d.sock)
    s2.sendall(b"x" * 5000)
    reply = read_reply(s2)
    t.check(reply.startswith("ERR line-too-long"), "a line over 4 KiB gets ERR line-too-long")
    s2.close()
    s3 = raw_client(d.sock)
    s3.sendall(b"status\nlinks\n\n   \nversion\n")
    data = b""
    deadline = time.monotonic() + 5
    while data.count(b"OK\n") < 3 and time.monotonic() < deadline:
        data += s3.recv(65536)
    t.check(data.count(b"OK\n") == 3, "pipelined requests each get their reply; blank lines ignored")
    s3.close()
    idle = [raw_client(d.sock) for _ in range(20)]
    rc, _, _ = d.ctl("status")
    t.check(rc == 0, "20 silent clients do not block another client")
    for s in idle:
        s.close()
    t.check(d.alive(), "the daemon survived the abuse")


def check_second_instance(d):
    p = subprocess.run([CELLSOCKD, "-d", "-f", d.conf, "-s", d.sock], capture_output=True, timeout=10)
    t.check(p.returncode != 0 and b"another cellsockd" in p.stderr, "a second instance on the same socket is refused")
    t.check(d.ctl("status")[0] == 0, "the first instance still answers")


def check_not_a_socket():
    """Issue #16: a regular file at the control socket path (-s and -f
    swapped, or control.socket naming a file) is left alone, and the daemon
    refuses to start with a message that says why."""
    def start(sock):
        try:
            return subprocess.run([CELLSOCKD, "-d", "-f", d.conf, "-s", sock], capture_output=True, timeout=5)
        except subprocess.TimeoutExpired as e:  # it started: the bug
            return subprocess.CompletedProcess(e.cmd, 0, e.stdout or b"", e.stderr or b"")

    d = Daemon()
    try:
        victim = os.path.join(d.dir, "precious.txt")
        with open(victim, "w") as f:
            f.write("keep me\n")
        p = start(victim)
        err = p.stderr.decode()
        t.check(p.returncode != 0, "a regular file at the socket path: the daemon does not start")
        t.check("is not a socket" in err and victim in err,
                "a regular file at the socket path: the message names it (%s)" % err.strip().splitlines()[-1:])
        with open(victim) as f:
            t.check(f.read() == "keep me\n", "a regular file at the socket path is not deleted")
        p = start(d.conf)
        t.check(p.returncode != 0 and os.path.exists(d.conf), "-s naming the configuration file keeps the file")
    finally:
        d.cleanup()


def check_permissions():
    if os.geteuid() != 0:
        print("# permission checks skipped: not root")
        return
    gid = grp.getgrnam("nogroup").gr_gid
    with Daemon() as d:
        d.write_config(minimal_config(d.sock).replace('group = ""; mode = "0660"',
                                                      'group = "nogroup"; mode = "0666"'))
        d.start()
        st = os.stat(d.sock)
        t.check(stat.S_IMODE(st.st_mode) == 0o666 and st.st_gid == gid, "socket mode and group follow the configuration")
        os.chmod(d.dir, 0o755)

        other_gid = 54321  # a group that is not the socket's

        def as_nobody():
            os.setgroups([])
            os.setgid(other_gid)
            os.setuid(65534)

        rc, _, err = d.ctl("reload", preexec_fn=as_nobody)
        t.check(rc == 1 and "permission-denied" in err, "an unprivileged user gets ERR for reload")
        rc, _, _ = d.ctl("status", preexec_fn=as_nobody)
        t.check(rc == 0, "an unprivileged user may read status")

        def as_nobody_in_group():
            os.setgroups([gid])
            os.setgid(other_gid)
            os.setuid(65534)

        rc, _, err = d.ctl("log-level", "info", preexec_fn=as_nobody_in_group)
        t.check(rc == 0, "a member of the socket's group may change the log level")
        rc, _, err = d.ctl("at", "AT", preexec_fn=as_nobody_in_group)
        t.check(rc == 1 and "needs root" in err, "at needs root even for group members")


def check_notify_and_stop():
    tmp = tempfile.mkdtemp(prefix="cellsock-notify-")
    path = os.path.join(tmp, "notify.sock")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(path)
    ns.settimeout(0.2)
    msgs = []

    def got(prefix):
        end = time.monotonic() + 0.3
        try:
            while time.monotonic() < end:
                msgs.append(ns.recv(4096).decode())
        except socket.timeout:
            pass
        return any(m.startswith(prefix) or ("\n" + prefix) in m for m in msgs)

    d = Daemon(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})
    try:
        d.start()
        wait_until(lambda: got("READY=1"), what="READY=1")
        t.check(True, "READY=1 sent once the loop runs")
        t.check(wait_until(lambda: got("STATUS="), what="STATUS="), "STATUS= summary sent")
        t.check(wait_until(lambda: got("WATCHDOG=1"), what="WATCHDOG=1"), "WATCHDOG=1 sent when WATCHDOG_USEC is set")
        d.signal(signal.SIGTERM)
        d.proc.wait(timeout=10)
        t.check(got("STOPPING=1"), "STOPPING=1 sent on SIGTERM")
        t.check(d.proc.returncode == 0, "SIGTERM exits 0")
        t.check(not os.path.exists(d.sock), "the control socket is unlinked on exit")
    finally:
        d.cleanup()
        ns.close()
        os.unlink(path)
        os.rmdir(tmp)


def check_socket_activation():
    d = Daemon()
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(d.sock)
    ls.listen(8)
    fd = ls.fileno()
    try:
        d.env.update({"LISTEN_FDS": "1"})

        def put_on_fd3():
            os.dup2(fd, 3)

        d.start(preexec_fn=put_on_fd3, pass_fds=(fd,),
                argv=["/bin/sh", "-c", 'LISTEN_PID=$$ exec "$0" "$@"', CELLSOCKD, "-d", "-f", d.conf, "-s", d.sock])
        t.check("passed by systemd" in d.logtext(), "a socket passed by systemd is used")
        rc, _, _ = d.ctl("status")
        t.check(rc == 0, "clients are served on the activated socket")
        d.stop()
        t.check(os.path.exists(d.sock), "an activated socket is left for systemd on exit")
    finally:
        ls.close()
        d.cleanup()


def main():
    if not os.path.exists(CELLSOCKD) or not os.path.exists(CELLSOCKCTL):
        skip("cellsockd or cellsockctl not built")
    check_config_check()
    with Daemon(links=2) as d:
        d.start()
        check_queries(d)
        check_reload(d)
        check_abuse(d)
        check_second_instance(d)
        rc = d.stop()
        t.check(rc == 0, "SIGTERM stops the daemon cleanly (exit 0)")
    check_not_a_socket()
    check_permissions()
    check_notify_and_stop()
    check_socket_activation()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
