#!/usr/bin/env python3
"""Black-box test of the metrics exporter (issue 7/7): cellsockd against
cellsock-modemsim and a loopback server; `cellsockctl metrics` is checked by
a strict parser of the Prometheus text format 0.0.4 (and by `promtool check
metrics` when promtool is installed); then the textfile is turned on with a
reload and the file it writes is checked the same way."""

import os
import re
import shutil
import subprocess
import tempfile
import traceback

from cellsock_harness import Checker, wait_until
from modemsim import deadline
from supervisor_rig import Rig, link_config

t = Checker("metrics")

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE_RE = re.compile(r"^(%s)(\{(?:%s(?:,%s)*,?)?\})? (\S+)$" % (NAME, LABEL, LABEL))
LABEL_RE = re.compile(LABEL)
VALUE_RE = re.compile(r"^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|NaN|[+-]Inf)$")


def unescape(v):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


def parse(text):
    """Parse an exposition strictly. Returns {(name, frozenset(labels)): value}
    and raises ValueError naming the line of the first problem."""
    if not text.endswith("\n"):
        raise ValueError("does not end with a newline")
    families = {}          # name -> {"help", "type", "samples"}
    order = []
    series = {}
    for n, line in enumerate(text[:-1].split("\n"), 1):
        where = "line %d: %r" % (n, line)
        if line == "":
            raise ValueError(where + ": empty line")
        m = re.match(r"^# (HELP|TYPE) (%s) (.+)$" % NAME, line)
        if line.startswith("#"):
            if not m:
                raise ValueError(where + ": a comment other than HELP/TYPE")
            kind, name, rest = m.groups()
            if name in families and order[-1] != name:
                raise ValueError(where + ": family appears twice (interleaved)")
            f = families.setdefault(name, {"help": None, "type": None, "samples": 0})
            if name not in order:
                order.append(name)
            if f["samples"]:
                raise ValueError(where + ": HELP/TYPE after samples")
            if kind == "HELP":
                if f["help"] is not None or f["type"] is not None:
                    raise ValueError(where + ": HELP twice or after TYPE")
                f["help"] = rest
            else:
                if f["type"] is not None:
                    raise ValueError(where + ": TYPE twice")
                if rest not in ("counter", "gauge"):
                    raise ValueError(where + ": type %s" % rest)
                f["type"] = rest
            continue
        m = SAMPLE_RE.match(line)
        if not m:
            raise ValueError(where + ": not a valid sample")
        name, labels, value = m.group(1), m.group(2) or "", m.group(7)
        if not order or order[-1] != name:
            raise ValueError(where + ": sample outside its family")
        f = families[name]
        if f["help"] is None or f["type"] is None:
            raise ValueError(where + ": sample before HELP and TYPE")
        pairs = [(k, unescape(v)) for k, v in LABEL_RE.findall(labels)]
        if len({k for k, _ in pairs}) != len(pairs):
            raise ValueError(where + ": a label twice")
        if not VALUE_RE.match(value):
            raise ValueError(where + ": bad value")
        v = float(value)
        if f["type"] == "counter" and not v >= 0:
            raise ValueError(where + ": negative counter")
        key = (name, frozenset(pairs))
        if key in series:
            raise ValueError(where + ": duplicate series")
        series[key] = v
        f["samples"] += 1
    for name, f in families.items():
        if f["help"] is None or f["type"] is None:
            raise ValueError("%s: no HELP or no TYPE" % name)
        if not name.startswith("cellsock_"):
            raise ValueError("%s: not prefixed cellsock_" % name)
        if (f["type"] == "counter") != name.endswith("_total"):
            raise ValueError("%s: a %s %s _total" % (name, f["type"],
                             "without" if f["type"] == "counter" else "with"))
    return series


def get(series, name, **labels):
    return series.get((name, frozenset(labels.items())))


def promtool(text):
    """(checked, ok, output): promtool check metrics when it is installed."""
    exe = shutil.which("promtool")
    if exe is None:
        return False, True, "promtool is not installed"
    p = subprocess.run([exe, "check", "metrics"], input=text.encode(), capture_output=True,
                       timeout=30)
    out = (p.stdout + p.stderr).decode(errors="replace")
    return True, p.returncode == 0, out


def metrics(r):
    rc, out, err = r.ctl("metrics")
    if rc != 0:
        raise AssertionError("cellsockctl metrics: %d %s" % (rc, err))
    return out


def check_parser():
    """The parser itself refuses what the format forbids."""
    good = '# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x{a="\\\\\\"\\n"} 1\n'
    s = parse(good)
    t.check(get(s, "cellsock_x", a='\\"\n') == 1.0, "parser: escapes are decoded")
    bad = ["cellsock_x 1\n",
           "# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x 1\ncellsock_x 1\n",
           "# HELP cellsock_x h\n# TYPE cellsock_x counter\ncellsock_x 1\n",
           '# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x{a="\\t"} 1\n',
           "# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x 1",
           "# HELP cellsock_x h\n# TYPE cellsock_x gauge\ncellsock_x one\n"]
    refused = 0
    for b in bad:
        try:
            parse(b)
        except ValueError:
            refused += 1
    t.check(refused == len(bad), "parser: refuses %d/%d invalid inputs" % (refused, len(bad)))


def check_valid(text, what):
    try:
        series = parse(text)
    except ValueError as e:
        t.check(False, "%s: strict parser: %s" % (what, e))
        return {}
    t.check(True, "%s: strict parser accepts %d series" % (what, len(series)))
    checked, ok, out = promtool(text)
    if checked:
        t.check(ok, "%s: promtool check metrics (%s)" % (what, out.strip()))
    else:
        print("# %s: promtool check skipped: %s" % (what, out))
    return series


def bytes_of(s, direction):
    return get(s, "cellsock_link_bytes_total", link="server", direction=direction)


def main():
    deadline(120)
    check_parser()
    tmp = tempfile.mkdtemp(prefix="cellsock-metrics-")
    try:
        with Rig() as r:
            conn = r.server.accept(timeout=20)
            r.wait_link("up")
            wait_until(lambda: "connect check passed" in r.daemon.logtext(), what="connect check")
            s = check_valid(metrics(r), "cellsockctl metrics")
            t.check(get(s, "cellsock_up") == 1, "cellsock_up is 1")
            t.check(get(s, "cellsock_link_up", link="server") == 1, "the link is reported up")
            t.check(get(s, "cellsock_link_state", link="server", state="up") == 1 and
                    sum(v for (n, l), v in s.items() if n == "cellsock_link_state") == 1,
                    "link state is one-hot on up")
            t.check(get(s, "cellsock_modem_state", state="ready") == 1, "modem ready")
            t.check(get(s, "cellsock_modem_registered") == 1, "modem registered")
            t.check(get(s, "cellsock_link_connects_total", link="server") == 1, "one connect")
            t.check(get(s, "cellsock_at_commands_total") > 0, "AT commands are counted")
            info = [dict(l) for (n, l), v in s.items() if n == "cellsock_modem_info"]
            t.check(len(info) == 1 and info[0].get("model") == "HE910", "modem_info model (%s)" % info)
            deaths = [v for (n, l), v in s.items() if n == "cellsock_link_deaths_total"]
            t.check(len(deaths) == 9, "every death cause is listed (%d)" % len(deaths))

            # bytes both ways: the byte account stays consistent
            conn.recv_exact(1)              # the connect probe
            payload = b"metrics-0123456789"
            rc, out, err = r.ctl("send", "server", payload.decode())
            t.check(rc == 0, "send on the link (%s)" % err.strip())
            t.check(conn.recv_exact(len(payload)) == payload, "the server gets the bytes")
            conn.send(b"hello")
            s = wait_until(lambda: (lambda s: bytes_of(s, "acked") == len(payload) and
                                    bytes_of(s, "received") == 5 and s)(parse(metrics(r))),
                           timeout=15, what="acked and received counters")
            t.check(bytes_of(s, "accepted") == bytes_of(s, "sent") == len(payload),
                    "accepted == sent == acked == %d" % len(payload))
            t.check(get(s, "cellsock_link_unacked_bytes", link="server") == 0, "nothing unacked")
            t.check(get(s, "cellsock_link_queued_bytes", link="server", direction="tx") == 0,
                    "nothing queued towards the server")
            rx = (bytes_of(s, "delivered") +
                  get(s, "cellsock_link_lost_bytes_total", link="server", kind="undelivered") +
                  get(s, "cellsock_link_queued_bytes", link="server", direction="rx"))
            t.check(rx <= bytes_of(s, "received"),
                    "delivered + undelivered + queued rx (%d) <= received (5)" % rx)

            # the textfile, turned on by a reload
            path = os.path.join(tmp, "cellsock.prom")
            r.daemon.write_config(link_config(
                r.sim.link, r.server.port, r.daemon.sock,
                extra_top='metrics: { textfile = "%s"; interval = 1.0; };\n' % path))
            rc, out, err = r.ctl("reload")
            t.check(rc == 0, "reload with metrics.textfile (%s)" % err.strip())
            wait_until(lambda: os.path.exists(path), timeout=5, what="the textfile")
            with open(path) as f:
                text = f.read()
            fs = check_valid(text, "textfile")
            t.check(get(fs, "cellsock_config_reloads_total") == 1, "textfile: reloads 1")
            t.check(get(fs, "cellsock_link_up", link="server") == 1, "textfile: link up")
            mtime = os.stat(path).st_mtime_ns
            wait_until(lambda: os.stat(path).st_mtime_ns != mtime, timeout=5,
                       what="the textfile rewritten by the timer")
            t.check(True, "the textfile is rewritten every interval")
            t.check(sorted(os.listdir(tmp)) == ["cellsock.prom"], "no temporary file left over")

            # an unwritable place: one warning, the daemon carries on
            bad = os.path.join(tmp, "missing", "x.prom")
            r.daemon.write_config(link_config(
                r.sim.link, r.server.port, r.daemon.sock,
                extra_top='metrics: { textfile = "%s"; interval = 1.0; };\n' % bad))
            rc, out, err = r.ctl("reload")
            t.check(rc == 0 and not os.path.exists(path), "moving the textfile removes the old one")
            wait_until(lambda: "metrics: cannot create" in r.daemon.logtext(), timeout=5,
                       what="the warning")
            # the timer fails again (every second) for 3 s of the daemon's
            # uptime; the warning is not repeated
            up0 = r.status()["daemon"]["uptime"]
            wait_until(lambda: r.status()["daemon"]["uptime"] >= up0 + 3, timeout=6,
                       interval=0.2, what="3 s of uptime")
            t.check(get(parse(metrics(r)), "cellsock_up") == 1, "the daemon still answers")
            t.check(r.daemon.logtext().count("metrics: cannot create") == 1,
                    "the warning is logged once")
    except Exception:
        t.check(False, "raised:\n%s" % traceback.format_exc())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.finish()


if __name__ == "__main__":
    raise SystemExit(main())
