#!/usr/bin/env python3
"""cellsockctl's text output for people: status and modem as titled blocks,
links as a table that fits 80 columns (long names and hosts cut with '~',
the port kept), links NAME as a block, monitor lines that start with a
local timestamp, colour on a terminal only and never with NO_COLOR."""

import os
import pty
import re
import select
import subprocess
import sys

from cellsock_harness import CELLSOCKCTL, Checker, Daemon, wait_until

t = Checker("ctl_text")
LONG = "north-gateway-uplink-to-primary1"  # the longest name allowed: 32
HOST = "telemetry-collector.region-one.example-fleet-operator.invalid"
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")


def config(sock):
    links = [('link1', '127.0.0.1', 40000, 1), (LONG, HOST, 65000, 2)]
    parts = ['{ name = "%s"; host = "%s"; port = %d; socket = %d; }' % l for l in links]
    return ('modem: { device = "/dev/null"; };\nlinks = ( %s );\n'
            'control: { socket = "%s"; group = ""; mode = "0660"; };\n'
            'log: { level = "info"; };\n' % (",\n ".join(parts), sock))


def run(d, *args, env=None):
    p = subprocess.run([CELLSOCKCTL, "-s", d.sock] + list(args), capture_output=True,
                       timeout=10, env=env)
    return p.returncode, p.stdout.decode("utf-8", errors="strict"), p.stderr.decode()


def on_tty(d, env, *args):
    """Run cellsockctl with its standard output on a pseudo-terminal."""
    master, slave = pty.openpty()
    p = subprocess.Popen([CELLSOCKCTL, "-s", d.sock] + list(args), stdout=slave,
                         stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 10)
        if not r:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    p.wait(timeout=10)
    return out


def check_table(d):
    rc, out, _ = run(d, "links")
    lines = out.splitlines()
    t.check(rc == 0 and lines[0].split() == ["NAME", "STATE", "FOR", "SERVER", "IN", "OUT",
                                             "CAUSE"], "links: a table with its header (%r)" % lines[:1])
    t.check(all(len(l) <= 80 for l in lines), "links: every line fits 80 columns (%s)" %
            [len(l) for l in lines])
    long_row = [l for l in lines if l.startswith(LONG[:6])]
    t.check(len(long_row) == 1 and "~" in long_row[0] and ":65000" in long_row[0],
            "links: a long name and host are cut with ~, the port kept (%r)" % long_row)
    t.check("\x1b" not in out, "links: no escape bytes when standard output is not a terminal")
    rc, out, _ = run(d, "status")
    t.check(rc == 0 and all(h in out.splitlines() for h in ("Daemon", "Modem", "Links")),
            "status: titled blocks Daemon, Modem, Links")
    t.check(re.search(r"^  Uptime: +\d+(\.\d)?[smhd]", out, re.M) is not None,
            "status: uptime as a duration")
    t.check(re.search(r"^  State: +closed$", out, re.M) is not None, "status: the modem's state")
    t.check(all(len(l) <= 80 for l in out.split("\nLinks\n")[1].splitlines()),
            "status: the links table fits 80 columns")


def check_blocks(d):
    rc, out, _ = run(d, "links", "link1")
    t.check(rc == 0 and out.startswith("Link link1\n") and
            re.search(r"^  Since: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(", out, re.M) is not None and
            "\n  Idle period:" in out and "\nRelay link1\n" in out,
            "links NAME: the link's fields as a titled block, times local (%r)" % out[:200])
    rc, _, err = run(d, "links", "nosuch")
    t.check(rc == 1 and "no-such-link" in err, "links NAME: an unknown name exits 1 (%r)" % err)
    rc, out, _ = run(d, "modem")
    t.check(rc == 0 and out.startswith("Modem\n") and "\n  IMEI:" in out and
            "\n  Signal:" in out, "modem: a titled block with every field")


def check_colour(d):
    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    out = on_tty(d, env, "links")
    t.check(b"\x1b[33mwaiting\x1b[0m" in out, "on a terminal the state is in colour (%r)" % out[:200])
    env["NO_COLOR"] = "1"
    out = on_tty(d, env, "links")
    t.check(b"waiting" in out and b"\x1b" not in out, "NO_COLOR: no escape bytes on a terminal")


def check_monitor(d):
    p = subprocess.Popen([CELLSOCKCTL, "-s", d.sock, "monitor"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: run(d, "-j", "status")[1].find('"monitors":1') >= 0, what="monitor")
        run(d, "disconnect", "link1")
        line = p.stdout.readline().decode()
        t.check(STAMP.match(line) is not None and "link-state" in line,
                "monitor: lines start with a local timestamp (%r)" % line)
    finally:
        p.terminate()
        p.wait(timeout=5)


def main():
    with Daemon() as d:
        d.write_config(config(d.sock))
        d.start()
        check_table(d)
        check_blocks(d)
        check_colour(d)
        check_monitor(d)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
