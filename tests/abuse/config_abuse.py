#!/usr/bin/env python3
"""Configuration abuse (issue 8/7, item 5): `cellsockd -n -f FILE` on every
key with a wrong type, out-of-range values, missing required keys, unknown
keys, a duplicate link, unreadable files, an empty file and 10 MiB files.
Each must exit 1 within 5 s with a `FILE:LINE: message` (or `FILE: message`
where there is no line), never a signal or a sanitizer report. Then SIGHUP a
running daemon with a live link and a broken file: the old configuration
keeps running and the problems are logged with file:line."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

import dialects
from cellsock_harness import CELLSOCKD, Checker, deadline, skip, wait_until
from modemsim import sim_binary
from supervisor_rig import Rig

t = Checker("config_abuse")
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehavior")

# A valid file with every key under test on its own line; KEYS maps a key's
# path to (line, wrong-type values, out-of-range values).
BASE = [
    'modem: {',
    '  device = "/dev/ttyS0";',
    '  baudrate = 115200;',
    '  command_timeout = 1.0;',
    '  flow_control = "none";',
    '  pin = "";',
    '};',
    'network: {',
    '  apn = "internet";',
    '  cid = 1;',
    '  pdp_type = "IP";',
    '  registration_timeout = 30.0;',
    '};',
    'links = ( {',
    '  name = "a";',
    '  host = "127.0.0.1";',
    '  port = 4000;',
    '  socket = 1;',
    '  session = "transparent";',
    '  resend_unacked = false;',
    '  tx_buffer = 65536;',
    '  keepalive: {',
    '    idle = 60.0;',
    '    retries = 3;',
    '    ack_timeout = 2.0;',
    '    modem_keepalive = 0;',
    '  };',
    '  reconnect: {',
    '    min = 1.0;',
    '    max = 60.0;',
    '    stable = 10.0;',
    '  };',
    '} );',
    'recovery: {',
    '  pdp_cycle_after = 3;',
    '  radio_cycle_after = 5;',
    '  modem_reboot_after = 7;',
    '  cooldown = 60.0;',
    '};',
    'control: {',
    '  socket = "/run/cellsock/control.sock";',
    '  group = "";',
    '  mode = "0660";',
    '};',
    'log: {',
    '  level = "info";',
    '  at_trace = false;',
    '};',
    'metrics: {',
    '  interval = 60.0;',
    '};',
]

NUM_WRONG = ['"fast"', 'true', '[1, 2]', '{ a = 1; }']
STR_WRONG = ['42', 'true', '( "a" )']
BOOL_WRONG = ['"maybe"', '2.5']
KEYS = {
    "modem.device": (STR_WRONG, ['""', '"relative/tty"', '"/dev/%s"' % ("x" * 5000)]),
    "modem.baudrate": (NUM_WRONG, ['12345', '0', '-9600', '9999999999']),
    "modem.command_timeout": (NUM_WRONG, ['0', '-1', '601', '1e308']),
    "modem.flow_control": (STR_WRONG, ['"sideways"', '""']),
    "modem.pin": (['1234'], ['"12"', '"abcd"', '"123456789"']),
    "network.apn": (STR_WRONG, ['"a\\"b"', '"tab\\there"', '"%s"' % ("a" * 200)]),
    "network.cid": (NUM_WRONG + ['1.5'], ['0', '6', '-1', '2147483648']),
    "network.pdp_type": (STR_WRONG, ['"IPX"']),
    "network.registration_timeout": (NUM_WRONG, ['0', '86401']),
    "links[0].name": (STR_WRONG, ['""', '"%s"' % ("n" * 33), '"a b"', '"a;b"']),
    "links[0].host": (STR_WRONG, ['""', '"a b"']),
    "links[0].port": (NUM_WRONG + ['"4000"'], ['0', '65536', '-1']),
    "links[0].socket": (NUM_WRONG, ['-1', '12', '1000']),
    "links[0].session": (STR_WRONG, ['"sometimes"']),
    "links[0].resend_unacked": (BOOL_WRONG, []),
    "links[0].tx_buffer": (['true', '[1]'], ['10', '1073741824', '-1']),
    "links[0].keepalive.idle": (['true', '"later"'], ['0', '86401', '-5']),
    "links[0].keepalive.retries": (NUM_WRONG, ['-1', '101']),
    "links[0].keepalive.ack_timeout": (NUM_WRONG, ['0', '3601']),
    "links[0].keepalive.modem_keepalive": (NUM_WRONG, ['-1', '241']),
    "links[0].reconnect.min": (NUM_WRONG, ['0', '-1', '86401']),
    "links[0].reconnect.max": (NUM_WRONG, ['0', '86401']),
    "links[0].reconnect.stable": (NUM_WRONG, ['-1', '86401']),
    "recovery.pdp_cycle_after": (NUM_WRONG, ['0', '101']),
    "recovery.radio_cycle_after": (NUM_WRONG, ['0', '101']),
    "recovery.modem_reboot_after": (NUM_WRONG, ['0', '101']),
    "recovery.cooldown": (NUM_WRONG, ['-1', '86401']),
    "control.socket": (STR_WRONG, ['"relative.sock"', '"/%s.sock"' % ("s" * 200)]),
    "control.group": (STR_WRONG, ['"%s"' % ("g" * 40), '"a b"']),
    "control.mode": (['true', '[1]'], ['"0999"', '"abc"', '"07777"', '"-1"']),
    "log.level": (STR_WRONG, ['"loud"', '""']),
    "log.at_trace": (BOOL_WRONG, []),
    "metrics.interval": (NUM_WRONG, ['0', '0.5', '86401']),
}


def key_line(path):
    """1-based line of the key's leaf in BASE."""
    leaf = path.rsplit(".", 1)[1]
    group = path.split(".")[0].split("[")[0]
    inside = False
    for i, line in enumerate(BASE):
        if line.startswith(group):
            inside = True
        if inside and line.strip().startswith(leaf + " ="):
            if path.count(".") == 2:
                sub = path.split(".")[1]
                before = [l.strip() for l in BASE[:i]]
                last = max(j for j, l in enumerate(before) if l.endswith(": {"))
                if not before[last].startswith(sub):
                    continue
            return i + 1
    raise KeyError(path)


class Runner:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="cellsock-confabuse-")
        self.n = 0
        self.slowest = (0.0, "")

    def write(self, text, name=None):
        self.n += 1
        path = os.path.join(self.dir, name or "case%03d.conf" % self.n)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run(self, path, what):
        """cellsockd -n -f path: (exit status, stderr text), checking the
        common rules: exit 1, no signal, no sanitizer report, < 5 s."""
        t0 = time.monotonic()
        try:
            p = subprocess.run([CELLSOCKD, "-n", "-f", path], capture_output=True, timeout=10)
        except subprocess.TimeoutExpired:
            t.check(False, "%s: cellsockd -n did not finish within 10 s" % what)
            return None, ""
        dt = time.monotonic() - t0
        if dt > self.slowest[0]:
            self.slowest = (dt, what)
        err = p.stderr.decode(errors="replace") + p.stdout.decode(errors="replace")
        ok = (p.returncode == 1 and not SANITIZER.search(err) and dt < 5.0)
        if not ok:
            t.check(False, "%s: exit %d in %.2fs, no crash, no sanitizer report:\n%s"
                    % (what, p.returncode, dt, err[:600]))
        return (p.returncode if ok else None), err

    def expect(self, text, what, pattern, name=None):
        path = self.write(text, name)
        rc, err = self.run(path, what)
        if rc is None:
            return False
        rx = pattern.replace("FILE", re.escape(path))
        return t.check(re.search(rx, err, re.M) is not None,
                       "%s -> %s" % (what, first_line(err, path)))

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def first_line(err, path):
    for line in err.splitlines():
        if line.startswith(path):
            return line.replace(path, "FILE")[:140]
    return err.strip()[:140]


def with_line(lineno, value):
    lines = list(BASE)
    key = lines[lineno - 1].split("=")[0]
    lines[lineno - 1] = "%s= %s;" % (key, value)
    return "\n".join(lines) + "\n"


def without_line(lineno):
    lines = list(BASE)
    lines[lineno - 1] = ""          # keep the numbering
    return "\n".join(lines) + "\n"


def check_keys(r):
    base = r.write("\n".join(BASE) + "\n")
    p = subprocess.run([CELLSOCKD, "-n", "-f", base], capture_output=True, timeout=10)
    if not t.check(p.returncode == 0, "the base file is valid (%s)" % p.stderr.decode().strip()):
        return
    n = 0
    bad = []
    for path, (wrong, out_of_range) in KEYS.items():
        line = key_line(path)
        for kind, values in (("wrong type", wrong), ("out of range", out_of_range)):
            for v in values:
                n += 1
                f = r.write(with_line(line, v))
                rc, err = r.run(f, "%s = %s" % (path, v[:40]))
                # The key's path, or libconfig's own message for a literal
                # it cannot hold (a 32-bit integer overflow), on that line.
                want = re.compile(r"^%s:%d: (%s: |integer literal out of range)"
                                  % (re.escape(f), line, re.escape(path)), re.M)
                if rc is None:
                    continue
                if not want.search(err):
                    bad.append("%s = %s (%s): %s" % (path, v[:40], kind, err.strip()[:200]))
    t.check(not bad, "%d wrong-type/out-of-range values each give FILE:LINE: KEY: message%s"
            % (n, "".join("\n  " + b for b in bad)))


def check_structure(r):
    text = "\n".join(BASE) + "\n"
    for path in ("modem.device", "links[0].name", "links[0].host", "links[0].port", "links[0].socket"):
        r.expect(without_line(key_line(path)), "missing %s" % path,
                 r"^FILE:\d+: %s: .*missing" % re.escape(path))
    r.expect("links = ( { name = \"a\"; host = \"h\"; port = 1; socket = 1; } );\n", "missing modem group",
             r"^FILE(:\d+)?: modem: .*missing")
    r.expect(text + "bogus = 1;\n", "unknown top-level key", r"^FILE:%d: .*bogus" % (len(BASE) + 1))
    dl = key_line("modem.device")
    r.expect(text.replace('"/dev/ttyS0";', '"/dev/ttyS0"; ports = [ "/dev/ttyS1", "/dev/ttyS0" ];'),
             "modem.device that is not ports[0]", r"^FILE:%d: modem\.device: .*first of modem\.ports" % dl)
    r.expect(text.replace('"/dev/ttyS0";', '"/dev/ttyS0"; ports = [ "/dev/ttyS0", "/dev/ttyS0" ];'),
             "a port listed twice", r"^FILE:%d: modem\.ports\[1\]: .*twice" % dl)
    r.expect(text.replace('"/dev/ttyS0";', '"/dev/ttyS0"; ports = ( "/dev/ttyS0", 5 );'),
             "a port given as a number", r"^FILE:%d: modem\.ports\[1\]" % dl)
    r.expect(text.replace("  port = 4000;", "  port = 4000; colour = \"red\";"), "unknown key in a link",
             r"^FILE:%d: .*colour" % key_line("links[0].port"))
    r.expect(text.replace("    retries = 3;", "    retries = 3; retry = 4;"), "unknown key in keepalive",
             r"^FILE:%d: .*retry" % key_line("links[0].keepalive.retries"))
    dup = text.replace("} );", "}, { name = \"a\";\n host = \"h\"; port = 1; socket = 2; } );")
    r.expect(dup, "duplicate link name", r"^FILE:%d: links\[1\]\.name: .*duplicate" % (BASE.index("} );") + 1))
    same_sock = text.replace("} );", "}, { name = \"b\"; host = \"h\"; port = 1; socket = 1; } );")
    r.expect(same_sock, "two links on one modem socket", r"^FILE:\d+: links\[1\]\.socket")
    r.expect(text.replace("modem: {", "modem = 5;\nmodemx: {"), "a group given as a number",
             r"^FILE:1: modem")
    r.expect(text.replace("links = ( {", "links = \"x\";\nlinksx = ( {"), "links given as a string",
             r"^FILE:%d: links" % key_line("links[0].name"))
    r.expect(text + "log: { level = \"debug\"; };\n", "a group given twice", r"^FILE:%d: " % (len(BASE) + 1))
    r.expect(text.replace("  cid = 1;", "  cid = = 1;"), "a syntax error",
             r"^FILE:%d: .*syntax" % key_line("network.cid"))
    r.expect(text + "links2 = ( { \n", "unterminated list at the end", r"^FILE:%d: " % (len(BASE) + 2))
    r.expect(text.replace('"/dev/ttyS0"', '"/dev/tty\\xff\\x00S0"'), "escapes with a NUL in a string",
             r"^FILE:\d+: ")
    r.expect("\x00\x01\x02binary\xff\n" * 10, "binary garbage", r"^FILE:\d+: ")
    r.expect(text * 2, "the whole file twice", r"^FILE:%d: " % (len(BASE) + 1))


def check_files(r):
    r.expect("", "an empty file", r"^FILE: .*empty")
    r.expect("# only a comment\n\n", "a file with only comments", r"^FILE: ")
    d = os.path.join(r.dir, "adir.conf")
    os.mkdir(d)
    rc, err = r.run(d, "a directory")
    t.check(rc == 1 and re.search(r"^%s: " % re.escape(d), err, re.M), "a directory -> %s"
            % first_line(err, d))
    fifo = os.path.join(r.dir, "fifo.conf")
    os.mkfifo(fifo)
    rc, err = r.run(fifo, "a FIFO nobody writes to")
    t.check(rc == 1 and re.search(r"^%s: " % re.escape(fifo), err, re.M), "a FIFO -> %s (no hang)"
            % first_line(err, fifo))
    missing = os.path.join(r.dir, "nothing.conf")
    rc, err = r.run(missing, "a missing file")
    t.check(rc == 1 and re.search(r"^%s: " % re.escape(missing), err, re.M), "a missing file -> %s"
            % first_line(err, missing))
    if os.geteuid() == 0:
        print("# chmod 000 case skipped: root reads it anyway (directory and FIFO cases cover unreadable)")
    else:
        f = r.write("\n".join(BASE) + "\n")
        os.chmod(f, 0)
        rc, err = r.run(f, "a file without read permission")
        t.check(rc == 1 and re.search(r"^%s: .*ermission" % re.escape(f), err, re.M),
                "an unreadable file -> %s" % first_line(err, f))
    big = 10 << 20
    text = "\n".join(BASE) + "\n"
    too_big = r"^FILE: .*(large|big|size|MiB|bytes)"
    r.expect("x" * big, "10 MiB of one word without a newline", too_big)
    r.expect(text + "# padding\n" * (big // 10), "10 MiB of comments after a valid file", too_big)
    r.expect(text + "".join("k%d = %d;\n" % (i, i) for i in range(big // 16)), "10 MiB of unknown keys",
             too_big)
    r.expect(text.replace('"/dev/ttyS0"', '"/dev/%s"' % ("y" * big)), "a 10 MiB string", too_big)
    # Just under the size limit: thousands of problems, a bounded report.
    many = text + "".join("k%d = %d;\n" % (i, i) for i in range(60000 // 14))
    path = r.write(many[:60000].rsplit("\n", 1)[0] + "\n")
    rc, err = r.run(path, "60 kB of unknown keys")
    t.check(rc == 1 and "%s:%d: k0" % (path, len(BASE) + 1) in err and len(err) < 64 * 1024
            and "more problems not shown" in err,
            "60 kB of unknown keys: the first is named with FILE:LINE, the report is capped (%d bytes)"
            % len(err))


def check_sighup():
    """SIGHUP with a broken file: the old configuration keeps running."""
    if not os.path.exists(sim_binary()):
        print("# SIGHUP check skipped: cellsock-modemsim not built")
        return
    with Rig() as r:
        r.server.accept(timeout=20)
        r.wait_link("up")
        before = r.status()
        good = open(r.daemon.conf).read()
        broken = good.replace("port = %d;" % r.server.port, "port = \"many\";") + "bogus = 1;\n"
        r.daemon.write_config(broken)
        r.daemon.signal(signal.SIGHUP)
        wait_until(lambda: "refused" in r.daemon.logtext(), timeout=10, what="the reload to be refused")
        log = r.daemon.logtext()
        lines = [l for l in log.splitlines() if r.daemon.conf + ":" in l]
        t.check(any(re.search(re.escape(r.daemon.conf) + r":\d+: .*port", l) for l in lines),
                "SIGHUP with a broken file logs the problems with file:line (%s)"
                % (lines[0].strip()[:120] if lines else "nothing"))
        after = r.status()
        link = r.link()
        t.check(r.daemon.alive() and link["state"] == "up" and link["connects"] == before["link"][0]["connects"]
                and link["port"] == before["link"][0]["port"],
                "the old configuration keeps running: link up, same port, no reconnect")
        t.check(after["daemon"]["reloads"] == before["daemon"]["reloads"],
                "the refused reload is not counted (%d)" % after["daemon"]["reloads"])
        rc, out, err = r.ctl("reload")
        t.check(rc == 1 and re.search(re.escape(r.daemon.conf) + r":\d+: ", err),
                "cellsockctl reload reports the problems with file:line, exit 1")
        rc, out, _ = r.daemon.ctl("reload", json=True)
        try:
            err = json.loads(out)["error"]
        except (ValueError, KeyError, TypeError):
            err = {}
        t.check(rc == 1 and err.get("code") == "failed" and err.get("problems") and
                all(re.search(re.escape(r.daemon.conf) + r":\d+: ", p.get("message", ""))
                    for p in err["problems"]),
                "cellsockctl -j reload lists the problems as objects with file:line (%s)"
                % out.strip()[:200])
        r.daemon.write_config("")
        r.daemon.signal(signal.SIGHUP)
        wait_until(lambda: r.daemon.logtext().count("refused") >= 4, timeout=10,
                   what="the empty file to be refused")
        t.check(r.daemon.alive() and r.link()["state"] == "up", "SIGHUP with an empty file: still up")
        r.daemon.write_config(good.replace("log: {", "log: { {"))
        r.daemon.signal(signal.SIGHUP)
        wait_until(lambda: r.daemon.logtext().count("refused") >= 5, timeout=10,
                   what="the syntax error to be refused")
        t.check(re.search(re.escape(r.daemon.conf) + r":\d+: .*syntax", r.daemon.logtext()) is not None
                and r.link()["state"] == "up", "SIGHUP with a syntax error: logged with file:line, still up")
        r.daemon.write_config(good)
        rc, _, err = r.ctl("reload")
        t.check(rc == 0 and r.status()["daemon"]["reloads"] == before["daemon"]["reloads"] + 1,
                "the good file reloads afterwards (%s)" % err.strip())
        t.check(r.wait_link("up")["connects"] == before["link"][0]["connects"], "and the link was never touched")
        t.check(not SANITIZER.search(r.daemon.logtext()), "no sanitizer report in the daemon's log")


def main():
    dialects.run_per_dialect()
    if not os.path.exists(CELLSOCKD):
        skip("cellsockd not built")
    deadline(85)
    start = time.monotonic()
    r = Runner()
    try:
        for step in (check_keys, check_structure, check_files):
            try:
                step(r)
            except Exception:
                t.check(False, "%s raised:\n%s" % (step.__name__, traceback.format_exc()))
        print("# %d files checked; slowest %.2fs (%s)" % (r.n, r.slowest[0], r.slowest[1]))
        try:
            check_sighup()
        except Exception:
            t.check(False, "check_sighup raised:\n%s" % traceback.format_exc())
    finally:
        r.cleanup()
    print("# config_abuse took %.1fs" % (time.monotonic() - start))
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
