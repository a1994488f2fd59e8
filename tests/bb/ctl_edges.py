#!/usr/bin/env python3
"""Issue 16, item 6 (control parts), against the real cellsockd and
cellsockctl: -j output is valid UTF-8 JSON whatever bytes the daemon echoes;
a usage error with -j (unknown command, wrong arguments) prints a JSON error
object on standard output and exits 2; malformed %-escapes in send's DATA
are refused by cellsockctl (exit 2, nothing sent) and by the daemon (ERR
usage)."""

import json
import os
import subprocess
import sys

from cellsock_harness import (CELLSOCKCTL, CELLSOCKD, Checker, Daemon, deadline, raw_client,
                              read_reply, skip)

t = Checker("ctl_edges")


def ctl(d, *args):
    """cellsockctl with raw byte arguments: (exit status, stdout bytes, stderr bytes)."""
    p = subprocess.run([CELLSOCKCTL.encode(), b"-s", d.sock.encode()] +
                       [a if isinstance(a, bytes) else a.encode() for a in args],
                       capture_output=True, timeout=10)
    return p.returncode, p.stdout, p.stderr


def json_doc(raw):
    """The JSON document in raw, strictly decoded as UTF-8; None if either fails."""
    try:
        return json.loads(raw.decode("utf-8", errors="strict"))
    except ValueError:
        return None


def invalid_utf8(d):
    for name in (b"\xff\xfe", b"a\xc3(b", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80x"):
        rc, out, err = ctl(d, "-j", "connect", name)
        doc = json_doc(out)
        t.check(rc == 1 and doc is not None and doc["ok"] is False and
                doc["error"]["code"] == "no-such-link",
                "-j connect %r: valid UTF-8 JSON error on stdout (exit %d: %r)" % (name, rc, out[:80]))
        if doc is not None:
            t.check("\ufffd" in doc["error"]["message"],
                    "the invalid bytes of %r show as U+FFFD (%r)" % (name, doc["error"]["message"]))
    rc, out, err = ctl(d, "-j", "connect", "caf\u00e9\u2603")
    doc = json_doc(out)
    t.check(doc is not None and "caf\u00e9\u2603" in doc["error"]["message"],
            "valid UTF-8 passes through unchanged (%r)" % out[:80])


def usage_json(d):
    rc, out, err = ctl(d, "-j", "bogus")
    doc = json_doc(out)
    t.check(rc == 2 and doc is not None and doc["ok"] is False and
            doc["error"]["code"] == "unknown-command" and "bogus" in doc["error"]["message"],
            "-j bogus: a JSON error object on stdout, exit 2 (exit %d: %r)" % (rc, out[:80]))
    rc, out, err = ctl(d, "-j", "connect")
    doc = json_doc(out)
    t.check(rc == 2 and doc is not None and doc["error"]["code"] == "usage",
            "-j connect without a name: a JSON usage error, exit 2 (exit %d: %r)" % (rc, out[:80]))
    rc, out, err = ctl(d, "-j", b"\xff")
    t.check(rc == 2 and json_doc(out) is not None, "-j with an unknown command in bad UTF-8: "
            "valid JSON (%r)" % out[:80])
    rc, out, err = ctl(d, "bogus")
    t.check(rc == 2 and out == b"" and b"unknown command" in err,
            "without -j an unknown command is still told on stderr, exit 2")


def bad_escapes(d):
    for data in ("%ZZ%4", "%4", "abc%", "%%", "ok%0"):
        rc, out, err = ctl(d, "send", "link1", data)
        t.check(rc == 2 and b"escape" in err, "cellsockctl send link1 %r: refused as usage, exit 2 "
                "(exit %d: %r)" % (data, rc, err.strip()[:80]))
        rc, out, err = ctl(d, "-j", "send", "link1", data)
        doc = json_doc(out)
        t.check(rc == 2 and doc is not None and doc["error"]["code"] == "usage",
                "-j send link1 %r: JSON usage error (exit %d)" % (data, rc))
    for data in (b"%ZZ%4", b"%4", b"abc%", b"%G0"):
        s = raw_client(d.sock)
        s.sendall(b"send link1 " + data + b"\n")
        answer = read_reply(s)
        s.close()
        t.check(answer.startswith("ERR usage") and "escape" in answer,
                "the daemon refuses 'send link1 %s' (%r)" % (data.decode(), answer.strip()[:80]))
    # Well-formed escapes still reach the state check (the link is not up).
    rc, out, err = ctl(d, "send", "link1", "%41%0d%0A")
    t.check(rc == 1 and b"not up" in err, "well-formed escapes pass the CLI and the daemon (%r)"
            % err.strip()[:80])


def main():
    if not os.path.exists(CELLSOCKD) or not os.path.exists(CELLSOCKCTL):
        skip("cellsockd or cellsockctl not built")
    deadline(60)
    with Daemon() as d:
        d.start()
        for step in (invalid_utf8, usage_json, bad_escapes):
            try:
                step(d)
            except Exception:
                import traceback
                t.check(False, "%s raised:\n%s" % (step.__name__, traceback.format_exc()))
        t.check(d.alive(), "the daemon is alive")
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
