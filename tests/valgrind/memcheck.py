#!/usr/bin/env python3
"""One integration run of the real cellsockd under valgrind memcheck (issue 8,
item 2): the simulator, two loopback echo servers, one link with a local
endpoint and one probed link. Exercised: bring-up, data through the local
endpoint both ways, injected faults (rst, pdp-drop, garbage, reboot, a silent
drop caught by probes, a hung modem, deregistration with a URC storm),
cellsockctl status/links/modem/metrics/monitor/at/send/log-level/version/help,
disconnect/connect, reset pdp, a reload by SIGHUP and by cellsockctl, a bad
configuration refused both ways, then SIGTERM. Passes iff valgrind reports
zero errors and "definitely lost: 0 bytes" (definite leaks count as errors
through --errors-for-leak-kinds=definite).

SKIP (77) without valgrind or when the build is sanitized (ASan/UBSan do not
run under valgrind). Valgrind slows the daemon 20-50x: every wait here is
generous, the whole run is bounded by a hard deadline.

    cd BUILD && top_builddir=$PWD top_srcdir=SRC PYTHONPATH=SRC/tests/lib \\
        python3 SRC/tests/valgrind/memcheck.py
"""

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
from cellsock_harness import (CELLSOCKCTL, CELLSOCKD, TOP_BUILDDIR, Checker, Daemon, skip,
                              wait_until)
from modemsim import ModemSim, deadline, sim_binary
from relay_util import Server, connect_local, fast_random, recv_exact, relay_config
from supervisor_rig import Monitor

DEADLINE = 600          # hard limit for the whole test, seconds
SLOW = 60.0             # one wait under valgrind
VALGRIND_OPTS = ["--tool=memcheck", "--leak-check=full", "--errors-for-leak-kinds=definite",
                 "--error-exitcode=99", "--track-fds=no", "--num-callers=30",
                 "--trace-children=no"]
t = Checker("valgrind-memcheck")


def sanitized_reason():
    """Why this build cannot run under valgrind (sanitizers), or None."""
    p = subprocess.run(["ldd", CELLSOCKD], capture_output=True, text=True)
    libs = re.findall(r"lib(asan|ubsan|tsan|lsan)\.so", p.stdout)
    if libs:
        return "cellsockd links lib%s (sanitized build): valgrind cannot run it" % libs[0]
    try:
        with open(os.path.join(TOP_BUILDDIR, "Makefile")) as f:
            for line in f:
                if line.startswith("SAN_CFLAGS =") and "-fsanitize" in line:
                    return "the build uses sanitizers (%s)" % line.strip()
    except OSError:
        pass
    return None


def config(sim, d, echo, probed, extra=False):
    """The configuration text and the links: a data link, a probed one, and
    with extra a third link without a local endpoint (added by a reload)."""
    links = [dict(name="data", port=echo.port, socket=1, local="unix:" +
                  os.path.join(d.dir, "data.sock")),
             dict(name="probed", port=probed.port, socket=2, local="unix:" +
                  os.path.join(d.dir, "probed.sock"),
                  session="persistent", resend=True,
                  keepalive='idle = 3.0; timeout = 3.0; retries = 1; probe = "FF"; '
                            'reply = "any"; ack_timeout = 30.0;')]
    text = relay_config(sim.link, d.sock, links, log_level="debug",
                        top_extra='metrics: { textfile = "%s"; interval = 2.0; };\n'
                                  % os.path.join(d.dir, "cellsock.prom"))
    if extra:
        text = text.replace("links = ( ", 'links = ( { name = "extra"; host = "127.0.0.1"; '
                            'port = %d; socket = 3; },\n' % echo.port)
    # valgrind slows the daemon, not the modem: give AT commands room
    return text.replace("command_timeout = 2.0;", "command_timeout = 5.0;"), links


class Run:
    """The simulator, the servers, cellsockd under valgrind and a monitor."""

    def __init__(self, tmp):
        self.vglog = os.path.join(tmp, "valgrind.log")
        self.sim = ModemSim(trace=False, baud=115200)
        self.echo = Server("echo")
        self.probed = Server("echo")
        self.d = Daemon()
        self.monitor = None

    def start(self):
        self.sim.start()
        self.good, self.links = config(self.sim, self.d, self.echo, self.probed)
        self.d.write_config(self.good)
        argv = (["valgrind"] + VALGRIND_OPTS + ["--log-file=" + self.vglog, CELLSOCKD,
                "-d", "-f", self.d.conf, "-s", self.d.sock])
        self.d.start(wait=False, argv=argv)
        wait_until(lambda: self.d.ctl("status")[0] == 0 or not self.d.alive(), timeout=SLOW,
                   interval=0.2, what="cellsockd under valgrind to answer")
        if not self.d.alive():
            raise AssertionError("cellsockd exited early:\n" + self.d.logtext()[-3000:])
        self.monitor = Monitor(self.d.sock)

    def state(self, name):
        rc, out, _ = self.d.ctl("status", json=True, timeout=SLOW)
        if rc != 0:
            return None
        return next((l["state"] for l in json.loads(out)["link"] if l["name"] == name), None)

    def monitors(self):
        rc, out, _ = self.d.ctl("status", json=True, timeout=SLOW)
        return json.loads(out)["daemon"]["monitors"] if rc == 0 else 0

    def wait_up(self, name):
        """The link is up (now or within the wait)."""
        wait_until(lambda: self.state(name) == "up", timeout=SLOW, interval=0.2,
                   what="link %s up" % name)

    def wait_cycle(self, name, mark):
        """The link went down after mark and is up again."""
        wait_until(lambda: [e for e in self.monitor.find("link-state", mark)
                            if e.get("name") == name and e.get("state") == "up"],
                   timeout=SLOW, interval=0.2, what="link %s back up" % name)

    def echo_through(self, name, n, seed):
        """n bytes out through link name's local endpoint, the same back."""
        local = next(l["local"] for l in self.links if l["name"] == name)
        c = connect_local(local, timeout=SLOW)
        try:
            data = fast_random(seed, n)
            c.sendall(data)
            got = recv_exact(c, n, timeout=SLOW * 2)
            return got == data
        finally:
            c.close()

    def close(self):
        if self.monitor:
            self.monitor.stop()
        self.d.cleanup()
        self.echo.close()
        self.probed.close()
        self.sim.stop()


def fault(r, cmd, why, seed):
    """Inject a fault on the simulator; the data link must die and come back,
    then carry data again."""
    mark = r.monitor.mark()
    r.sim.control(cmd)
    r.wait_cycle("data", mark)
    r.wait_up("probed")
    t.check(r.echo_through("data", 2048, seed), "data after %s (%s)" % (cmd, why))


def ctl_commands(r):
    """Every read-only command, plus the mutating ones that leave the link up."""
    for args in (["status"], ["links"], ["modem"], ["metrics"], ["version"], ["help"],
                 ["log-level"], ["-j", "status"], ["-j", "links"], ["-j", "modem"]):
        rc, out, err = r.d.ctl(*args, timeout=SLOW)
        t.check(rc == 0 and out, "cellsockctl %s" % " ".join(args))
    rc, out, err = r.d.ctl("at", "AT+CGMR", timeout=SLOW)
    if os.getuid() == 0:
        t.check(rc == 0 and out.strip(), "cellsockctl at AT+CGMR: %r" % out.strip())
    else:
        t.check(rc == 1, "cellsockctl at refused for non-root")
    rc, _, _ = r.d.ctl("at", "AT+NOSUCH", timeout=SLOW)
    t.check(rc != 0 or os.getuid() != 0, "cellsockctl at with an ERROR answer fails")
    r.wait_up("probed")
    rc, out, err = r.d.ctl("send", "probed", "hello", timeout=SLOW)
    t.check(rc == 0, "cellsockctl send (%d %s)" % (rc, " ".join((out + err).split())))
    rc, _, _ = r.d.ctl("send", "nosuch", "x", timeout=SLOW)
    t.check(rc == 1, "cellsockctl send to an unknown link is refused")
    rc, _, _ = r.d.ctl("log-level", "info", timeout=SLOW)
    t.check(rc == 0, "cellsockctl log-level info")
    rc, _, _ = r.d.ctl("log-level", "debug", timeout=SLOW)
    # a text monitor that comes and goes
    p = subprocess.Popen([CELLSOCKCTL, "-s", r.d.sock, "monitor"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: r.monitors() >= 2, timeout=SLOW, interval=0.2,
                   what="the text monitor to subscribe")
        mark = r.monitor.mark()
        r.d.ctl("disconnect", "probed", timeout=SLOW)
        r.monitor.wait("link-state", since=mark, timeout=SLOW, state="idle")
        r.d.ctl("connect", "probed", timeout=SLOW)
        r.wait_up("probed")
    finally:
        p.send_signal(signal.SIGINT)
        out = p.communicate(timeout=10)[0].decode(errors="replace")
    t.check("link-state" in out, "text monitor saw link-state events")


def reloads(r):
    """A good reload by SIGHUP and by cellsockctl, a bad one both ways."""
    mark = r.monitor.mark()
    changed = config(r.sim, r.d, r.echo, r.probed, extra=True)[0]
    r.d.write_config(changed.replace("idle = 3.0;", "idle = 4.0;"))
    r.d.signal(signal.SIGHUP)
    r.monitor.wait("config-reloaded", since=mark, timeout=SLOW)
    r.wait_up("extra")
    t.check(True, "SIGHUP reload: a link added, a keepalive changed")
    r.d.write_config("links = ( { name = \"broken\"; port = \"nope\"; } );\nbad syntax {\n")
    rc, out, err = r.d.ctl("reload", timeout=SLOW)
    t.check(rc == 1, "cellsockctl reload refuses a bad file (rc %d: %s)"
            % (rc, " ".join((out + err).split())))
    refused = r.d.logtext().count("refused")
    r.d.signal(signal.SIGHUP)
    wait_until(lambda: r.d.logtext().count("refused") > refused, timeout=SLOW, interval=0.2,
               what="the bad SIGHUP reload to be refused")
    t.check(r.d.alive() and r.d.ctl("status", timeout=SLOW)[0] == 0,
            "still answering after a bad SIGHUP reload")
    r.d.write_config(r.good)
    rc, _, _ = r.d.ctl("reload", timeout=SLOW)
    t.check(rc == 0, "cellsockctl reload of the good file (the extra link removed)")
    wait_until(lambda: r.state("extra") is None, timeout=SLOW, interval=0.2,
               what="the extra link to go")
    r.wait_up("data")
    r.wait_up("probed")


def scenario(r):
    r.start()
    r.wait_up("data")
    r.wait_up("probed")
    t.check(r.echo_through("data", 16384, 1), "16 KiB both ways through the local endpoint")
    fault(r, "rst 1", "connection reset", 11)
    fault(r, "pdp-drop", "PDP context lost", 12)
    r.sim.control("garbage 300")
    r.wait_up("data")
    t.check(r.echo_through("data", 1024, 3), "data after garbage on the port")
    fault(r, "reboot 500", "module reboot, port gone and back", 13)
    mark = r.monitor.mark()
    r.sim.control("drop 2")
    ev = wait_until(lambda: [e for e in r.monitor.find("link-dead", mark)
                             if e.get("name") == "probed"], timeout=SLOW, interval=0.2,
                    what="the silent drop to be detected")[0]
    t.check(ev.get("cause") == "probe-timeout", "silent drop: %s" % ev.get("cause"))
    r.wait_up("probed")
    before = r.d.logtext().count("resynchronising")
    r.sim.control("hang 7000")
    wait_until(lambda: r.d.logtext().count("resynchronising") > before, timeout=SLOW,
               interval=0.2, what="a command timeout and a resync")
    r.wait_up("data")
    r.wait_up("probed")
    t.check(r.echo_through("data", 1024, 5), "data after the modem stopped answering")
    r.sim.control("deregister")
    r.sim.control("storm 20 +CREG: 2")
    r.sim.control("register")
    r.wait_up("data")
    t.check(r.echo_through("data", 1024, 6), "data after deregistration and a URC storm")
    ctl_commands(r)
    mark = r.monitor.mark()
    rc, _, _ = r.d.ctl("reset", "pdp", timeout=SLOW)
    t.check(rc == 0, "cellsockctl reset pdp")
    r.wait_cycle("data", mark)
    r.wait_up("probed")
    reloads(r)
    t.check(r.echo_through("data", 4096, 4), "data after the reloads")
    rc, out, _ = r.d.ctl("links", json=True, timeout=SLOW)
    answered = sum(l.get("probes_answered", 0) for l in json.loads(out).get("link", [])) \
        if rc == 0 else 0
    t.check(answered > 0, "probes answered on the probed link (%d)" % answered)


def valgrind_verdict(r, rc):
    """Check the daemon's exit and valgrind's summary; print the summary."""
    try:
        with open(r.vglog, errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    errors = re.search(r"ERROR SUMMARY: ([\d,]+) errors", text)
    definite = re.search(r"definitely lost: ([\d,]+) bytes in ([\d,]+) blocks", text)
    no_leaks = "All heap blocks were freed" in text
    for line in text.splitlines():
        if re.search(r"(HEAP SUMMARY|in use at exit|total heap usage|LEAK SUMMARY|"
                     r"definitely lost|indirectly lost|possibly lost|still reachable|"
                     r"suppressed:|ERROR SUMMARY|All heap blocks)", line):
            print("# " + line.split("== ", 1)[-1])
    nerr = int(errors.group(1).replace(",", "")) if errors else None
    ndef = 0 if no_leaks else (int(definite.group(1).replace(",", "")) if definite else None)
    t.check(rc == 0, "cellsockd exited 0 after SIGTERM (got %s; 99 = valgrind errors)" % rc)
    t.check(nerr == 0, "valgrind: zero errors (got %s)" % nerr)
    t.check(ndef == 0, "valgrind: definitely lost: 0 bytes (got %s)" % ndef)
    if nerr != 0 or ndef != 0:
        print("---- valgrind log ----")
        print(text[-20000:])


def main():
    dialects.run_per_dialect()
    for exe in (CELLSOCKD, CELLSOCKCTL, sim_binary()):
        if not os.access(exe, os.X_OK):
            skip("not built: %s" % exe)
    if shutil.which("valgrind") is None:
        skip("valgrind is not installed")
    reason = sanitized_reason()
    if reason:
        skip(reason)
    p = subprocess.run(["valgrind", "--tool=memcheck", "-q", "true"], capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        skip("valgrind does not run here: %s" % " ".join(p.stderr.split())[:200])
    deadline(DEADLINE)
    tmp = tempfile.mkdtemp(prefix="cellsock-vg-")
    r = Run(tmp)
    start = time.monotonic()
    try:
        try:
            scenario(r)
        except Exception:
            t.check(False, "scenario raised:\n" + traceback.format_exc())
            print("---- daemon log (tail) ----")
            print("\n".join(r.d.logtext().splitlines()[-60:]))
        print("# scenario: %.1f s" % (time.monotonic() - start))
        if r.monitor:
            r.monitor.stop()
            r.monitor = None
        rc = r.d.stop(timeout=SLOW * 2) if r.d.proc else None
        print("# with SIGTERM: %.1f s" % (time.monotonic() - start))
        if r.d.proc is not None:
            valgrind_verdict(r, rc)
    finally:
        r.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
