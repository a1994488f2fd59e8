#!/usr/bin/env python3
"""cellsockctl(8) documents the JSON shape of every command (section JSON
OUTPUT: the members of each reply, and for each record type every field
with its JSON type, "or null" where it may be null, "optional" where it may
be left out). This test reads that description out of the man page and
compares it with the real `cellsockctl -j` output of every command and the
monitor's events, against a daemon driving the simulator: every documented
field is there with its type, and no field is undocumented."""

import json
import os
import re
import subprocess
import sys

from cellsock_harness import CELLSOCKCTL, TOP_SRCDIR, Checker, wait_until
from supervisor_rig import Rig

t = Checker("json_shape")
MAN = os.path.join(TOP_SRCDIR, "man", "cellsockctl.8")
PY_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
            "array": (list,)}


def parse_man(path):
    """(replies, shapes): replies maps a command to [(member, is_array)];
    shapes maps (type, commands) to {field: (json type, nullable, optional)}."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r'^\.SH "JSON OUTPUT"\n(.*?)^\.SH ', text, re.M | re.S)
    if m is None:
        raise AssertionError("%s has no JSON OUTPUT section" % path)
    replies, shapes, shape, cmd = {}, {}, None, None
    for line in m.group(1).splitlines():
        ss = re.match(r'^\.SS "?([^"]*?)(?: record(?: \(([^)]*)\))?)?"?$', line)
        if ss:
            shape = None
            if ss.group(0).find(" record") > 0:
                cmds = tuple(c.strip() for c in (ss.group(2) or "").split(",") if c.strip())
                shape = shapes.setdefault((ss.group(1), cmds), {})
            continue
        if line.startswith(".B ") and shape is None:
            cmd = line[3:].strip()
            continue
        mem = re.match(r"^Members: (.*)\.$", line)
        if mem and cmd is not None:
            replies[cmd] = [] if mem.group(1) == "(none)" else [
                (w.strip().rstrip("[]"), w.strip().endswith("[]")) for w in mem.group(1).split(",")]
            continue
        fld = re.match(r'^\.BR (\S+) " \(([^)]*)\):?"$', line)
        if fld and shape is not None:
            kind = fld.group(2)
            base = kind.split(" ")[0].rstrip(",")
            shape[fld.group(1)] = (base, "or null" in kind, "optional" in kind)
    return replies, shapes


def shape_for(shapes, rtype, command):
    """The documented shape of record type rtype in the reply to command."""
    for (name, cmds), fields in shapes.items():
        if name == rtype and (command in cmds or not cmds):
            return fields
    return None


def check_object(obj, fields, what):
    """Every documented field with its type, nothing undocumented."""
    if not isinstance(obj, dict):
        t.check(False, "%s: an object (got %r)" % (what, obj))
        return
    missing = [k for k, (_, _, opt) in fields.items() if k not in obj and not opt]
    extra = [k for k in obj if k not in fields]
    t.check(not missing, "%s: every documented field is there%s" % (
        what, "" if not missing else "; MISSING from the output (documented in "
        "cellsockctl(8)): " + ", ".join(missing)))
    t.check(not extra, "%s: no undocumented field%s" % (
        what, "" if not extra else "; NOT DOCUMENTED in cellsockctl(8) JSON OUTPUT: " +
        ", ".join("%s=%r" % (k, obj[k]) for k in extra)))
    for k, (base, nullable, _) in fields.items():
        if k not in obj:
            continue
        v = obj[k]
        ok = (v is None and nullable) or (
            v is not None and isinstance(v, PY_TYPES.get(base, (object,))) and
            (base == "boolean" or not isinstance(v, bool)))
        t.check(ok, "%s: field %s is %s%s (got %r)" % (what, k, base,
                                                      " or null" if nullable else "", v))


def ctl(d, *args):
    p = subprocess.run([CELLSOCKCTL, "-s", d.sock, "-j"] + list(args), capture_output=True,
                       timeout=30)
    return p.returncode, json.loads(p.stdout.decode("utf-8", errors="strict"))


def check_reply(d, replies, shapes, args):
    command = args[0]
    rc, doc = ctl(d, *args)
    what = "-j " + " ".join(args)
    if not t.check(rc == 0 and doc.get("ok") is True, "%s succeeds (%r)" % (what, doc)):
        return doc
    members = replies.get(command)
    if not t.check(members is not None, "%s: the command's reply is in cellsockctl(8) Replies"
                   % what):
        return doc
    names = dict(members)
    extra = [k for k in doc if k != "ok" and k not in names]
    missing = [k for k in names if k not in doc]
    t.check(not extra and not missing, "%s: members %s as documented%s%s" % (
        what, sorted(names), "; UNDOCUMENTED member: " + ", ".join(extra) if extra else "",
        "; MISSING member: " + ", ".join(missing) if missing else ""))
    for name, is_array in members:
        if name not in doc:
            continue
        val = doc[name]
        t.check(isinstance(val, list) == is_array, "%s: %s is %s" % (
            what, name, "an array" if is_array else "an object"))
        for i, obj in enumerate(val if isinstance(val, list) else [val]):
            if name == "lines":
                t.check(isinstance(obj, str), "%s: lines[%d] is a string" % (what, i))
                continue
            fields = shape_for(shapes, name, command)
            if t.check(fields is not None, "%s: the %s record is documented" % (what, name)):
                check_object(obj, fields, "%s: %s record" % (what, name))
    return doc


def check_events(r, shapes):
    with r.monitor.lock:
        events = [dict(e) for e in r.monitor.events]
    common = shape_for(shapes, "event", "monitor")
    seen = set()
    for ev in events:
        ev.pop("_t", None)
        name = ev.get("event")
        if name in seen:
            continue
        seen.add(name)
        own = shape_for(shapes, name, "monitor")
        if not t.check(own is not None, "event %s is documented" % name):
            continue
        check_object(ev, dict(common, **own), "monitor: %s event" % name)
    t.check({"link-state", "modem-state", "link-dead"} <= seen,
            "the monitor saw link-state, modem-state and link-dead (%s)" % sorted(seen))


def main():
    replies, shapes = parse_man(MAN)
    t.check(len(replies) >= 14 and len(shapes) >= 15,
            "cellsockctl(8) describes %d replies and %d record shapes" % (len(replies), len(shapes)))
    with Rig() as r:
        d = r.daemon
        r.wait_link("up", timeout=30)
        rc, doc = ctl(d, "help")
        for c in doc.get("command", []):
            t.check(c["name"] in replies or c["name"] == "monitor",
                    "command %s has its reply documented" % c["name"])
        for args in (["status"], ["modem"], ["links"], ["links", "server"], ["version"],
                     ["log-level"], ["help"], ["metrics"], ["send", "server", "hi"],
                     ["reload"], ["reconnect", "server"]):
            check_reply(d, replies, shapes, args)
        r.wait_link("up", timeout=30)
        check_reply(d, replies, shapes, ["disconnect", "server"])
        r.wait_link("idle", timeout=30)
        check_reply(d, replies, shapes, ["connect", "server"])
        r.wait_link("up", timeout=30)
        if os.geteuid() == 0:
            check_reply(d, replies, shapes, ["at", "AT"])
        check_reply(d, replies, shapes, ["reset", "pdp"])
        rc, doc = ctl(d, "connect", "nosuch")
        t.check(rc == 1 and doc.get("ok") is False and set(doc) == {"ok", "error"},
                "a refusal is ok:false and error (%r)" % doc)
        check_object(doc.get("error"), shape_for(shapes, "error", "connect"), "refusal: error")
        r.monitor.wait("escalation", timeout=20)
        check_events(r, shapes)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
