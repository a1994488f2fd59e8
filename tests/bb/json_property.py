#!/usr/bin/env python3
"""Property: whatever bytes link names, hosts, errors and events carry
(quotes, backslashes, control bytes, invalid UTF-8, non-ASCII), every
`cellsockctl -j` command prints strict JSON (UTF-8 decoded strictly, parsed
by json.loads), typed at the source: strings stay strings, an absent value
is null, times are RFC 3339 with their epoch beside them."""

import json
import os
import re
import subprocess
import sys

from cellsock_harness import CELLSOCKCTL, Checker, wait_until
from supervisor_rig import Rig

t = Checker("json_property")

# Hosts and device paths must pass the daemon's own checks (no quotes or
# blanks), so the nastiest bytes come in where the daemon cannot refuse them:
# the operator name the module reports (the simulator's --operator), and
# link names asked for over the socket, echoed in error messages.
OPERATOR = 'op\\back\x01ctl caf\u00e9\u2603 bad\udcff\udcfe'
NAMES = ['q"uote', 'back\\slash', 'caf\u00e9\u2603', '\x01ctl', 'bad\udcff']
NAME = "server"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")

def strict(out, what):
    try:
        return json.loads(out.decode("utf-8", errors="strict"))
    except (UnicodeDecodeError, ValueError) as e:
        t.check(False, "%s: strict JSON (%s): %r" % (what, e, out[:200]))
        return None


def ctl(d, *args):
    p = subprocess.run([CELLSOCKCTL, "-s", d.sock, "-j"] + [os.fsencode(a) for a in args],
                       capture_output=True, timeout=10)
    return p.returncode, p.stdout


def check_commands(d):
    for args in (["status"], ["links"], ["modem"], ["version"], ["help"], ["log-level"],
                 ["metrics"], ["connect", NAME], ["connect", "nosuch"], ["reset", "bogus"],
                 ["bogus"], ["send", NAME, "%ff%00%22"]) + tuple(
                     [c, n] for n in NAMES for c in ("connect", "send")):
        rc, out = ctl(d, *args)
        doc = strict(out, " ".join(args))
        t.check(doc is not None and isinstance(doc.get("ok"), bool),
                "-j %s: one strict JSON document with ok (exit %d)" % (" ".join(args), rc))


def check_types(d):
    rc, out = ctl(d, "status")
    doc = strict(out, "status")
    if doc is None:
        return
    m, l = doc["modem"], doc["link"][0]
    oper = m["operator"] or ""
    t.check("\\" in oper and "\x01" in oper and "\u2603" in oper and "\ufffd" in oper,
            "the operator name keeps backslash, control byte and UTF-8; bad UTF-8 is U+FFFD: %r" % oper)
    t.check(isinstance(m["imei"], str) and isinstance(l["host"], str),
            "IMEI and host are strings (%r, %r)" % (m["imei"], l["host"]))
    t.check(isinstance(m["signal_dbm"], int) and isinstance(l["port"], int)
            and isinstance(l["idle"], (int, float)), "numbers are numbers")
    t.check(isinstance(l["since"], str) and RFC3339.match(l["since"]) is not None
            and isinstance(l["since_epoch"], int), "since is RFC 3339 (%r) with since_epoch" % l["since"])
    t.check(l["cause"] is None and l["last_error"] is None, "no cause or error yet: null")
    t.check(isinstance(doc["relay"][0]["client"], bool), "flags are booleans")
    t.check(isinstance(doc["daemon"]["uptime"], int) and isinstance(doc["daemon"]["version"], str),
            "the daemon block is typed")


def check_events(r):
    mark = r.monitor.mark()
    r.ctl("disconnect", r.link()["name"])
    ev = r.monitor.wait("link-state", since=mark)
    t.check(isinstance(ev.get("time"), str) and RFC3339.match(ev["time"]) is not None and
            isinstance(ev.get("time_epoch"), int) and isinstance(ev.get("name"), str),
            "events carry their name and time (%r)" % ev)
    ev = r.monitor.wait("link-dead", since=mark)
    t.check(isinstance(ev.get("silent"), (int, float)), "a death's silence is a number (%r)" % ev)


def main():
    with Rig(sim_args=["--operator", OPERATOR]) as r:
        r.wait_link("up", timeout=30)
        d = r.daemon
        check_commands(d)
        check_types(d)
        check_events(r)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
